"""The draft saved as the user moves between sections of the screening form (the
page's script posts here; "Save as draft" does the same without it)."""

from __future__ import annotations

import re

from django.urls import reverse

from cse.concurrency import VERSION_FIELD
from cse.models import AuditEvent
from tests.screening.test_edit import form_data

JSON = {"HTTP_ACCEPT": "application/json"}


def _autosave(client, screening, **extra):
    return client.post(
        reverse("screening:autosave", args=[screening.pk]),
        form_data(screening, action="", rationale="", **extra),
        **JSON,
    )


def test_it_saves_the_draft_and_says_when(client, alice, draft):
    client.force_login(alice)
    response = _autosave(client, draft)
    assert response.status_code == 200
    answer = response.json()
    assert answer["saved"] is True
    assert re.fullmatch(r"\d\d:\d\d", answer["saved_at"])
    # The page's next save is judged against this one: the version comes back.
    assert set(answer["hidden"]) == {VERSION_FIELD}
    draft.refresh_from_db()
    assert draft.is_draft
    assert draft.answers["reason"]["reason"] == "Concerns raised by school"
    assert draft.answers["risk"] == ["r1", "r4"]
    assert AuditEvent.objects.filter(
        user=alice, action=AuditEvent.Action.CHANGE, summary="draft saved"
    ).exists()


def test_a_submit_button_value_does_not_submit(client, alice, draft):
    client.force_login(alice)
    response = client.post(
        reverse("screening:autosave", args=[draft.pk]), form_data(draft), **JSON
    )
    assert response.json()["saved"] is True
    draft.refresh_from_db()
    assert draft.is_draft


def test_an_answer_that_cannot_be_saved_is_reported_and_nothing_is_written(
    client, alice, draft
):
    client.force_login(alice)
    too_long = "Testing " * 2000  # over the free-text limit
    response = _autosave(client, draft, **{"reason__reason": too_long})
    assert response.status_code == 400
    answer = response.json()
    assert answer["saved"] is False
    assert "Select Save as draft to see which" in answer["error"]
    assert "Testing" not in answer["error"]
    draft.refresh_from_db()
    assert draft.answers.get("reason", {}).get("reason", "") == ""


def test_a_read_only_colleague_may_not(client, bob, draft):
    client.force_login(bob)
    assert _autosave(client, draft).status_code == 403


def test_an_outsider_gets_not_found(client, erin, draft):
    client.force_login(erin)
    assert _autosave(client, draft).status_code == 404


def test_a_submitted_screening_is_not_changed(client, alice, submitted):
    client.force_login(alice)
    before = submitted.answers
    assert _autosave(client, submitted).status_code == 403
    submitted.refresh_from_db()
    assert submitted.answers == before


def test_it_is_post_only(client, alice, draft):
    client.force_login(alice)
    url = reverse("screening:autosave", args=[draft.pk])
    assert client.get(url).status_code == 405


def test_the_form_page_offers_it_to_the_script(client, alice, draft):
    client.force_login(alice)
    page = client.get(reverse("screening:edit", args=[draft.pk])).content.decode()
    assert 'data-module="app-autosave"' in page
    assert f'data-autosave-url="{reverse("screening:autosave", args=[draft.pk])}"' in (
        page
    )
    assert 'role="status" data-autosave-status' in page
    assert "data-keep-work-submit>Save as draft</button>" in page


def test_a_page_someone_else_has_overtaken_is_not_saved_over_them(client, alice, draft):
    client.force_login(alice)
    stale = form_data(draft, action="", rationale="")
    # A colleague saves the draft from another page first.
    first = _autosave(client, draft, **{"reason__reason": "Changed elsewhere first"})
    assert first.status_code == 200
    stale["reason__reason"] = "Typed on the overtaken page"
    response = client.post(
        reverse("screening:autosave", args=[draft.pk]), stale, **JSON
    )
    assert response.status_code == 409
    assert "someone else saved this screening" in response.json()["error"]
    draft.refresh_from_db()
    assert draft.answers["reason"]["reason"] == "Changed elsewhere first"


def test_the_version_it_returns_lets_the_page_save_again(client, alice, draft):
    client.force_login(alice)
    data = form_data(draft, action="", rationale="")
    first = _autosave(client, draft)
    data.update(first.json()["hidden"])
    data["reason__reason"] = "Typed after the autosave"
    response = client.post(reverse("screening:autosave", args=[draft.pk]), data, **JSON)
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert draft.answers["reason"]["reason"] == "Typed after the autosave"
