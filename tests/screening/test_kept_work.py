"""Work kept after the idle sign-out (cse/kept_work.py), through the screening form,
the first form that keeps it: posted after the idle limit, the form is kept for its
author, encrypted, and shown again (not saved) once they have signed in with both
factors; nobody else gets it, it expires, and it is deleted when shown."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import HttpResponse, QueryDict
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from cse import kept_work
from cse.models import KeptWork
from cse.tasks import delete_expired_kept_work
from tests.conftest import verify_client
from tests.screening.test_edit import form_data

TYPED = "Seen with an unknown adult near Testplace Park"


def expire(client: Client) -> None:
    """The idle limit passes: the session's row is out of date, as Django leaves it."""
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    updated = Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert updated == 1


def drafted(draft, **extra) -> dict:
    return form_data(draft, action="save", rationale="", **{"reason__reason": TYPED})


@pytest.fixture
def edit_url(draft) -> str:
    return reverse("screening:edit", args=[draft.pk])


@pytest.fixture
def kept_for_alice(client, alice, draft, edit_url):
    """alice was typing a screening; her session ended; she pressed Save as draft."""
    client.force_login(alice)
    client.get(edit_url)
    expire(client)
    response = client.post(edit_url, drafted(draft))
    return response


def test_a_form_posted_after_the_idle_limit_is_kept_and_the_sign_in_page_says_so(
    client, alice, draft, edit_url, kept_for_alice
):
    response = kept_for_alice
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={edit_url}"
    kept = KeptWork.objects.get()
    assert kept.user == alice and kept.path == edit_url
    assert kept.expires_at - timezone.now() > timedelta(
        minutes=settings.KEPT_WORK_MINUTES - 1
    )
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because you had not done anything for 30 minutes" in (
        page
    )
    assert "What you entered has been kept for 30 minutes" in page
    draft.refresh_from_db()
    assert draft.answers.get("reason", {}).get("reason", "") == ""


def test_the_kept_form_is_encrypted_at_rest(kept_for_alice):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cse_keptwork")
        stored = " ".join(str(value) for value in cursor.fetchone())
    assert "Testplace" not in stored
    assert "unknown adult" not in stored
    token = KeptWork.objects.get().token
    assert token.startswith("gAAAA")  # a Fernet token, nothing readable
    assert "reason__reason" not in stored


def test_what_was_typed_is_never_logged(client, alice, draft, edit_url, caplog):
    caplog.set_level(logging.DEBUG)
    client.force_login(alice)
    expire(client)
    client.post(edit_url, drafted(draft))
    client.force_login(alice)
    client.get(edit_url)
    assert KeptWork.objects.count() == 0
    assert "Testplace" not in caplog.text


def test_after_both_factors_the_form_comes_back_with_what_was_typed(
    client, alice, draft, edit_url, kept_for_alice
):
    client.force_login(alice)
    response = client.get(edit_url)
    assert response.status_code == 200
    page = response.content.decode()
    assert TYPED in page
    assert re.search(r'name="risk" type="checkbox" value="r4"[^>]*checked', page)
    assert re.search(
        r'name="significant__s1" type="checkbox" value="current"[^>]*checked', page
    )
    assert re.search(
        r'name="vulnerability" type="checkbox" value="v2"[^>]*checked', page
    )
    assert "This is what you entered before you were signed out" in page
    assert not KeptWork.objects.exists()
    # Nothing was saved: the user checks it and saves it themselves.
    draft.refresh_from_db()
    assert draft.answers.get("reason", {}).get("reason", "") == ""
    again = client.get(edit_url).content.decode()
    assert TYPED not in again


def test_the_returned_form_has_a_fresh_csrf_token_that_saves_it(alice, draft, edit_url):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    page = browser.get(edit_url).content.decode()
    old_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    expire(browser)
    response = browser.post(
        edit_url, {**drafted(draft), "csrfmiddlewaretoken": old_token}
    )
    assert response.status_code == 302 and KeptWork.objects.count() == 1
    browser.force_login(alice)  # signing in rotates the CSRF secret
    page = browser.get(edit_url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    assert token != old_token
    assert TYPED in page
    saved = browser.post(edit_url, {**drafted(draft), "csrfmiddlewaretoken": token})
    assert saved.status_code == 302 and saved["Location"] == edit_url
    draft.refresh_from_db()
    assert draft.answers["reason"]["reason"] == TYPED


def test_with_the_password_only_it_is_not_returned(
    client, alice, edit_url, kept_for_alice, unverified_client_for
):
    unverified = unverified_client_for(alice)
    response = unverified.get(edit_url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("second_factor"))
    assert KeptWork.objects.count() == 1
    verify_client(unverified, alice)
    assert TYPED in unverified.get(edit_url).content.decode()


def test_another_user_signing_in_does_not_get_it(
    client, alice, carol, edit_url, kept_for_alice
):
    client.force_login(carol)  # a colleague who may also resume the draft
    page = client.get(edit_url)
    assert page.status_code == 200
    assert TYPED not in page.content.decode()
    assert KeptWork.objects.filter(user=alice).count() == 1
    assert kept_work.take(user=carol, path=edit_url) is None
    client.force_login(alice)
    assert TYPED in client.get(edit_url).content.decode()


def test_a_row_moved_to_another_user_does_not_decrypt_for_them(
    carol, edit_url, kept_for_alice
):
    KeptWork.objects.update(user=carol)
    assert kept_work.take(user=carol, path=edit_url) is None
    assert not KeptWork.objects.exists()


def test_it_expires(client, alice, edit_url, kept_for_alice):
    KeptWork.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(alice)
    assert TYPED not in client.get(edit_url).content.decode()
    assert not KeptWork.objects.exists()


def test_the_sweep_deletes_expired_ones_only(alice, carol, edit_url):
    kept_work.keep(user_id=alice.pk, path=edit_url, data=QueryDict("a=1"))
    kept_work.keep(user_id=carol.pk, path=edit_url, data=QueryDict("a=2"))
    KeptWork.objects.filter(user=alice).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert delete_expired_kept_work.delay().get() == 1
    assert list(KeptWork.objects.values_list("user", flat=True)) == [carol.pk]
    assert delete_expired_kept_work() == 0


def test_one_pending_form_per_user_and_address(alice, edit_url):
    kept_work.keep(user_id=alice.pk, path=edit_url, data=QueryDict("a=first"))
    kept_work.keep(user_id=alice.pk, path=edit_url, data=QueryDict("a=second&a=2"))
    assert KeptWork.objects.count() == 1
    data = kept_work.take(user=alice, path=edit_url)
    assert data.getlist("a") == ["second", "2"]
    assert kept_work.take(user=alice, path=edit_url) is None


def test_a_token_older_than_its_lifetime_does_not_decrypt(alice, edit_url, monkeypatch):
    """Even if its row's expiry were changed, the token carries its own time."""
    import time

    from cryptography import fernet

    kept_work.keep(user_id=alice.pk, path=edit_url, data=QueryDict("a=1"))
    KeptWork.objects.update(expires_at=timezone.now() + timedelta(hours=2))
    later = time.time() + settings.KEPT_WORK_MINUTES * 60 + 5
    monkeypatch.setattr(fernet.time, "time", lambda: later)
    assert kept_work.take(user=alice, path=edit_url) is None


def test_a_post_failing_the_csrf_check_is_not_kept(alice, draft, edit_url):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    expire(browser)
    response = browser.post(edit_url, drafted(draft))
    assert response.status_code == 403
    assert not KeptWork.objects.exists()


def test_a_form_of_a_view_that_does_not_keep_work_is_not_kept(client, alice, child):
    client.force_login(alice)
    edit_child = reverse("cse:child_edit", args=[child.pk])
    expire(client)
    response = client.post(
        edit_child,
        {"forename": "Testchanged"},
        HTTP_REFERER=f"http://testserver{edit_child}",
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={edit_child}"
    assert not KeptWork.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "What you entered was not saved" in page


def test_a_page_asked_for_after_the_idle_limit_says_why_once(client, alice, child):
    client.force_login(alice)
    expire(client)
    response = client.get(child.get_absolute_url())
    assert response["Location"].startswith(reverse("login"))
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because you had not done anything" in page
    client.get(child.get_absolute_url())
    again = client.get(reverse("login")).content.decode()
    assert "You were signed out because" not in again


def test_a_form_posted_from_another_tab_after_the_first_noticed_is_kept(
    client, alice, draft, edit_url, child
):
    client.force_login(alice)
    expire(client)
    client.get(child.get_absolute_url())  # the first tab finds the session ended
    response = client.post(edit_url, drafted(draft))
    assert response["Location"] == f"{reverse('login')}?next={edit_url}"
    assert KeptWork.objects.get().user == alice


def test_a_script_asking_after_the_idle_limit_gets_401_and_no_message(
    client, alice, draft
):
    client.force_login(alice)
    expire(client)
    response = client.post(
        reverse("screening:autosave", args=[draft.pk]),
        drafted(draft),
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 401
    assert response.json() == {"signed_in": False}
    assert not KeptWork.objects.exists()
    assert "You were signed out" not in client.get(reverse("login")).content.decode()


def test_signing_out_keeps_nothing(client, alice, draft, edit_url):
    client.force_login(alice)
    client.post(reverse("logout"))
    response = client.post(edit_url, drafted(draft))
    assert response["Location"].startswith(reverse("login"))
    assert not KeptWork.objects.exists()


# --- hidden fields --------------------------------------------------------------


def test_hidden_fields_are_shown_as_posted_and_the_csrf_token_stays_fresh(
    rf: RequestFactory, alice, settings
):
    from django.contrib.messages.storage.fallback import FallbackStorage

    kept_work.keep(
        user_id=alice.pk,
        path="/some/form/",
        data=QueryDict(
            "version=5&once=abc123&notes=typed&csrfmiddlewaretoken=old&pair=1&pair=2"
        ),
    )
    seen = {}

    @kept_work.keeps_work
    def view(request):
        seen["post"] = request.POST
        seen["method"] = request.method
        return HttpResponse(
            '<form method="post">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="fresh">'
            '<input type="hidden" name="version" value="9">'
            "<input name=once type=hidden value=new-token />"
            '<input type="hidden" name="pair" value="x"><input type="hidden" name="pair">'
            '<input type="text" name="notes" value="">'
            '<input type="hidden" name="other" value="kept as rendered">'
            "</form>",
            content_type="text/html; charset=utf-8",
        )

    request = rf.get("/some/form/")
    request.user = alice
    alice.is_verified = lambda: True
    request.session = {}
    request._messages = FallbackStorage(request)
    page = view(request).content.decode()
    assert seen["method"] == "GET" and seen["post"]["notes"] == "typed"
    assert "csrfmiddlewaretoken" not in seen["post"]
    assert 'name="csrfmiddlewaretoken" value="fresh"' in page
    assert '<input value="5" type="hidden" name="version">' in page
    assert '<input value="abc123" name=once type=hidden />' in page
    assert '<input value="1" type="hidden" name="pair">' in page
    assert '<input value="2" type="hidden" name="pair">' in page
    assert 'name="other" value="kept as rendered"' in page
    assert '<input type="text" name="notes" value="">' in page
    assert view.keeps_work is True


def test_the_sweep_is_on_the_beat_schedule():
    from cse.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["cse-delete-expired-kept-work"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert entry["schedule"] <= settings.KEPT_WORK_MINUTES * 60
