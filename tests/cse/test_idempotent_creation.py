"""The one-time token on every form (cse.submission_tokens): written by
`{% csrf_token %}`, bound to the user, claimed once, given back when the form is
shown again with errors, refused when it is someone else's, tampered with or too
old, and forgotten by a daily job once it would be refused anyway."""

from __future__ import annotations

import datetime
import time

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cse import services, submission_tokens
from cse.models import Alias, AuditEvent, SharingDecision, SubmissionToken
from cse.submission_tokens import FIELD
from tests.form_tokens import (
    changed,
    messages_of,
    row_counts,
    said_already_saved,
    token_on,
)

now = time.time


@pytest.fixture
def alias_url(child):
    return reverse("cse:alias_create", args=[child.pk])


def test_a_form_shown_to_a_signed_in_user_carries_a_new_token_bound_to_them(
    client_for, alice, carol, alias_url
):
    client = client_for(alice)
    first, second = token_on(client.get(alias_url)), token_on(client.get(alias_url))
    assert first != second
    assert submission_tokens.nonce_for(alice, first)
    with pytest.raises(submission_tokens.TokenRefused):
        submission_tokens.nonce_for(carol, first)


def test_a_page_for_nobody_signed_in_gets_the_csrf_token_only(client, db):
    page = client.get(reverse("login")).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
    assert FIELD not in page


def test_the_sign_out_form_on_every_page_carries_one_too(client_for, alice):
    page = client_for(alice).get(reverse("cse:home"))
    assert token_on(page, reverse("logout"))


def test_another_users_token_is_refused_and_writes_nothing(
    client_for, alice, carol, alias_url
):
    """Carol's browser sends a form that was opened while alice was signed in (a
    shared computer): refused with why, nothing saved, and the token is still
    alice's to send."""
    token = token_on(client_for(alice).get(alias_url))
    carols = Client()
    carols.force_login(carol)
    before = row_counts()
    refused = carols.post(
        alias_url,
        {"name": "Testalias", FIELD: token},
        HTTP_REFERER=f"http://testserver{alias_url}",
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "This form was not saved" in page
    assert "opened by a different signed-in user" in page
    assert f'href="{alias_url}"' in page  # the form again
    assert changed(before, row_counts()) == {}
    alices = Client()
    alices.force_login(alice)
    assert (
        alices.post(alias_url, {"name": "Testalias", FIELD: token}).status_code == 302
    )
    assert Alias.objects.filter(name="Testalias").count() == 1


def test_a_tampered_token_is_refused(client_for, alice, alias_url):
    client = client_for(alice)
    token = token_on(client.get(alias_url))
    user_id, rest = token.split(".", 1)
    forged = f"{user_id}.x{rest[1:]}"
    response = client.post(alias_url, {"name": "Testalias", FIELD: forged})
    assert response.status_code == 400
    assert "could not be checked" in response.content.decode()
    assert not Alias.objects.exists()


def test_a_token_older_than_the_limit_is_refused(
    client_for, alice, alias_url, monkeypatch
):
    days = settings.SUBMISSION_TOKEN_DAYS
    client = client_for(alice)
    with monkeypatch.context() as past:
        past.setattr(signing.time, "time", lambda: now() - days * 86400 - 60)
        token = token_on(client.get(alias_url))
    response = client.post(alias_url, {"name": "Testalias", FIELD: token})
    assert response.status_code == 400
    assert "opened too long ago" in response.content.decode()
    assert not Alias.objects.exists()
    assert not SubmissionToken.objects.exists()


def test_a_token_just_inside_the_limit_is_accepted(
    client_for, alice, alias_url, monkeypatch
):
    days = settings.SUBMISSION_TOKEN_DAYS
    client = client_for(alice)
    with monkeypatch.context() as past:
        past.setattr(signing.time, "time", lambda: now() - days * 86400 + 60)
        token = token_on(client.get(alias_url))
    assert client.post(alias_url, {"name": "A", FIELD: token}).status_code == 302


def test_a_post_without_a_token_is_accepted(client_for, alice, alias_url):
    """The choice documented in cse.submission_tokens: every form of the app has a
    token, so a POST without one is not from a page of this release; it is acted on
    as before, and nothing is remembered for it."""
    client = client_for(alice)
    for _ in range(2):
        assert client.post(alias_url, {"name": "Testalias"}).status_code == 302
    assert Alias.objects.count() == 2
    assert not SubmissionToken.objects.exists()


def test_the_claim_keeps_the_redirect_path_and_no_more(client_for, alice, child):
    client = client_for(alice)
    url = reverse("cse:person_create") + f"?link_to={child.pk}"
    token = token_on(client.get(url))
    response = client.post(
        url,
        {
            "forename": "Testperson",
            "surname": "Exampleby",
            "gender": "male",
            "status": "active",
            FIELD: token,
        },
    )
    assert response.status_code == 302
    claim = SubmissionToken.objects.get()
    assert claim.user == alice and claim.status_code == 302
    assert claim.location == response["Location"]
    assert claim.location.startswith(reverse("cse:link_create", args=[child.pk]))
    assert "Testperson" not in claim.location
    assert claim.token in token and claim.token != token


def test_a_repeat_after_signing_in_again_is_answered_with_the_first_result(
    alice, alias_url
):
    """A token belongs to the user, not the session: a form kept over a sign-in
    and sent again saves nothing new."""
    before_sign_out = Client()
    before_sign_out.force_login(alice)
    data = {"name": "Testalias", FIELD: token_on(before_sign_out.get(alias_url))}
    first = before_sign_out.post(alias_url, data)
    before_sign_out.logout()
    after_sign_in = Client()
    after_sign_in.force_login(alice)
    again = after_sign_in.post(alias_url, data)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert said_already_saved(again)
    assert Alias.objects.count() == 1


def test_a_server_error_rolls_the_request_back_and_keeps_the_token(
    client_for, alice, alias_url, monkeypatch
):
    """services.add_alias writes the alias, then the request fails: nothing of it is
    kept (the request ran in the token's transaction), and the same form sent again
    saves."""
    client = client_for(alice)
    data = {"name": "Testalias", FIELD: token_on(client.get(alias_url))}
    real = services.add_alias

    def add_then_fail(**kwargs):
        real(**kwargs)
        raise RuntimeError("Injected fault after the alias was written")

    monkeypatch.setattr(services, "add_alias", add_then_fail)
    client.raise_request_exception = False
    assert client.post(alias_url, data).status_code == 500
    assert not Alias.objects.exists()
    assert not SubmissionToken.objects.exists()
    monkeypatch.setattr(services, "add_alias", real)
    saved = client.post(alias_url, data)
    assert saved.status_code == 302 and not said_already_saved(saved)
    assert Alias.objects.count() == 1


def test_a_post_only_form_refused_with_an_error_keeps_its_token(
    client_for, alice, child, agency_b
):
    """Withdrawing a share without a reason goes back to the page with an error:
    that is not a result to repeat, so the same form with the reason filled in is
    acted on."""
    services.record_sharing_decision(
        by=alice,
        subject=child,
        agency=agency_b,
        decision=SharingDecision.Decision.SHARE,
        purpose="Joint safeguarding work",
        consent=SharingDecision.Consent.GIVEN,
    )
    client = client_for(alice)
    url = reverse("cse:share_withdraw", args=[child.pk])
    token = token_on(client.get(reverse("cse:sharing", args=[child.pk])), url)
    refused = client.post(url, {"agency": agency_b.pk, "purpose": "", FIELD: token})
    assert refused.status_code == 302
    assert "Enter the reason for withdrawing the share" in messages_of(refused)
    assert not SubmissionToken.objects.exists()
    done = client.post(
        url, {"agency": agency_b.pk, "purpose": "Work finished", FIELD: token}
    )
    assert not said_already_saved(done)
    assert SharingDecision.objects.filter(decision="withdraw").count() == 1
    again = client.post(
        url, {"agency": agency_b.pk, "purpose": "Work finished", FIELD: token}
    )
    assert said_already_saved(again)
    assert SharingDecision.objects.filter(decision="withdraw").count() == 1


def test_identity_checks_claim_no_token(client_for, alice):
    """Signing in, out and confirming identity check credentials every time: their
    forms carry a token like every form, but it is never claimed or replayed."""
    client = client_for(alice)
    page = client.get(reverse("step_up"))
    token = token_on(page, reverse("step_up"))
    for _ in range(2):
        response = client.post(
            reverse("step_up"), {"password": "wrong password", FIELD: token}
        )
        assert response.status_code == 200
        assert not said_already_saved(response)
    assert not SubmissionToken.objects.exists()
    assert client.post(reverse("logout"), {FIELD: token}).status_code == 302
    assert not SubmissionToken.objects.exists()


def test_old_claims_are_deleted_by_the_daily_job(alice, carol):
    from cse import tasks

    now = timezone.now()
    limit = datetime.timedelta(days=settings.SUBMISSION_TOKEN_DAYS)
    old = SubmissionToken.objects.create(
        user=alice, token="old", created_at=now - limit - datetime.timedelta(hours=1)
    )
    kept = SubmissionToken.objects.create(
        user=carol, token="recent", created_at=now - limit + datetime.timedelta(hours=1)
    )
    assert tasks.delete_old_submission_tokens.delay().get() == 1
    assert list(SubmissionToken.objects.all()) == [kept]
    assert not SubmissionToken.objects.filter(pk=old.pk).exists()
    assert tasks.delete_old_submission_tokens.delay().get() == 0
    assert (
        settings.CELERY_BEAT_SCHEDULE["cse-delete-old-submission-tokens"]["task"]
        == "cse.tasks.delete_old_submission_tokens"
    )


def test_a_replay_writes_no_audit_event(client_for, alice, alias_url):
    client = client_for(alice)
    data = {"name": "Testalias", FIELD: token_on(client.get(alias_url))}
    client.post(alias_url, data)
    events = AuditEvent.objects.count()
    assert said_already_saved(client.post(alias_url, data))
    assert AuditEvent.objects.count() == events
