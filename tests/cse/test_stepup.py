"""Step-up: a view marked @step_up_required runs only within STEP_UP_MINUTES of the
user last proving who they are; otherwise it sends them to confirm and back."""

import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from cse import stepup
from cse.models import AuditEvent


def _age_check(client, seconds: float) -> None:
    session = client.session
    session[stepup.CHECKED_AT] = time.time() - seconds
    session.save()


@pytest.fixture
def protected():
    calls = []

    @stepup.step_up_required
    def view(request):
        calls.append(request.method)
        return HttpResponse("done")

    return view, calls


def _request(client, method="get"):
    request = getattr(RequestFactory(), method)("/records/1/sharing/new/")
    from django.contrib.messages.storage.fallback import FallbackStorage

    request.session = client.session
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.django_db
def test_a_fresh_check_lets_the_action_through(client, alice, protected, settings):
    view, calls = protected
    client.force_login(alice)
    _age_check(client, settings.STEP_UP_MINUTES * 60 - 5)
    response = view(_request(client))
    assert response.status_code == 200 and calls == ["GET"]


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_stale_check_is_sent_to_confirm_and_nothing_runs(
    client, alice, protected, settings, method
):
    view, calls = protected
    client.force_login(alice)
    _age_check(client, settings.STEP_UP_MINUTES * 60 + 5)
    response = view(_request(client, method))
    assert response.status_code == 302
    assert response["Location"] == stepup.confirm_url("/records/1/sharing/new/")
    assert calls == []


@pytest.mark.django_db
def test_confirming_with_the_password_refreshes_the_check(client, alice, settings):
    client.force_login(alice)
    _age_check(client, 3600)
    url = stepup.confirm_url("/children/")
    wrong = client.post(url, {"password": "not-the-password", "next": "/children/"})
    assert wrong.status_code == 200
    assert "The password is not right" in wrong.content.decode()
    assert not stepup.is_recent(_request(client))
    right = client.post(url, {"password": "a-long-test-password", "next": "/children/"})
    assert right.status_code == 302 and right["Location"] == "/children/"
    assert stepup.is_recent(_request(client))
    actions = list(
        AuditEvent.objects.filter(user=alice).values_list("action", flat=True)
    )
    assert AuditEvent.Action.STEP_UP_FAILED in actions
    assert AuditEvent.Action.STEP_UP in actions


@pytest.mark.django_db
def test_confirming_never_redirects_off_site(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("step_up"),
        {"password": "a-long-test-password", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("cse:home")


# --- the actions that need a fresh check ---------------------------------------

STEP_UP_VIEWS = [
    ("cse:share_create", [1]),
    ("cse:share_withdraw", [1]),
    ("screening:pdf", [1]),
    ("disruption:cawn_pdf", [1]),
    ("reports:snapshot_csv", [1]),
    ("reports:snapshot_pdf", [1]),
    ("missing:cmog_list", []),
    ("missing:interview_share", [1]),
    ("meetings:circulate", [1]),
    ("meetings:document_create", [1]),
    ("meetings:document_download", [1, 1]),
    ("disruption:cawn_signed_copy", [1]),
    ("disruption:intelligence_log", []),
    ("reports:profile_csv", []),
    ("reports:profile_pdf", []),
    ("reports:outcomes_report_csv", []),
    ("reports:mase_report_csv", []),
    ("reports:delivery_plan_csv", [1]),
    ("reports:delivery_plan_pdf", [1]),
    ("cse:break_glass_start", []),
]


@pytest.mark.parametrize(("name", "args"), STEP_UP_VIEWS)
def test_sharing_exports_and_bulk_documents_are_marked_for_step_up(name, args):
    from django.urls import resolve

    view = resolve(reverse(name, args=args)).func
    while not getattr(view, "step_up", False) and hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    assert getattr(view, "step_up", False), name


@pytest.mark.django_db
def test_sharing_a_record_needs_a_fresh_check(client, alice, child):
    client.force_login(alice)
    url = reverse("cse:share_create", args=[child.pk])
    assert client.get(url).status_code == 200
    _age_check(client, 3600)
    response = client.get(url)
    assert response["Location"] == stepup.confirm_url(url)


@pytest.mark.django_db
def test_a_stale_post_to_a_post_only_view_returns_to_the_form_page(
    client, alice, child
):
    client.force_login(alice)
    _age_check(client, 3600)
    sharing = reverse("cse:sharing", args=[child.pk])
    response = client.post(
        reverse("cse:share_withdraw", args=[child.pk]),
        {},
        HTTP_REFERER=f"http://testserver{sharing}",
    )
    assert response["Location"] == stepup.confirm_url(sharing)


@pytest.mark.django_db
def test_the_cmog_csv_needs_a_fresh_check_but_the_page_does_not(client, carol):
    client.force_login(carol)
    url = reverse("missing:cmog_list")
    _age_check(client, 3600)
    assert client.get(url).status_code == 200
    stale = client.get(url, {"format": "csv"})
    assert stale.status_code == 302
    assert stale["Location"].startswith(reverse("step_up"))
    _age_check(client, 0)
    fresh = client.get(url, {"format": "csv"})
    assert fresh.status_code == 200


@pytest.mark.django_db
def test_a_current_authenticator_code_confirms_identity_once(client, alice):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(alice)
    _age_check(client, 3600)
    device = TOTPDevice.objects.get(user=alice, confirmed=True)
    code = f"{totp(device.bin_key):06d}"
    url = stepup.confirm_url("/children/")
    right = client.post(url, {"password": code, "next": "/children/"})
    assert right.status_code == 302 and right["Location"] == "/children/"
    _age_check(client, 3600)
    device.refresh_from_db()
    device.throttle_reset()
    again = client.post(url, {"password": code, "next": "/children/"})
    assert again.status_code == 200
    assert "The code is not right" in again.content.decode()


@pytest.mark.django_db
def test_passing_the_second_factor_marks_the_check_fresh(unverified_client_for, alice):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = unverified_client_for(alice)
    device = TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    _age_check(client, 3600)
    client.post(reverse("second_factor"), {"code": f"{totp(device.bin_key):06d}"})
    assert stepup.is_recent(_request(client))
