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
