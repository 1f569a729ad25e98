"""Edit forms carry the version they were read at (cse.concurrency): a save from a
form someone else has overtaken shows what changed and saves nothing."""

from __future__ import annotations

import contextlib
import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from cse import concurrency, services
from cse.models import AuditEvent, Category, CategoryAssessment, Child
from tests.page_forms import VERSION, edit_form, submitted, version_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(alice, carol):
    """alice and carol, each signed in with a browser of their own."""
    browsers = []
    for user in (alice, carol):
        browser = Client()
        browser.force_login(user)
        browsers.append(browser)
    return browsers


def _open(browser, child):
    response = browser.get(reverse("cse:child_edit", args=[child.pk]))
    assert response.status_code == 200
    return edit_form(response)


def test_a_stale_save_shows_the_conflict_and_saves_nothing(two, child):
    """Two people open a child's form; the first changes "known as", the second only
    the disability notes. The second save would have written the old "known as"
    back: it is refused, and says what changed, who saved it and when."""
    a, b = two
    form_a, form_b = _open(a, child), _open(b, child)

    saved = a.post(
        reverse("cse:child_edit", args=[child.pk]),
        submitted(form_a, known_as="Testy"),
    )
    assert saved.status_code == 302

    stale = b.post(
        reverse("cse:child_edit", args=[child.pk]),
        submitted(form_b, disability_notes="Uses a hearing aid"),
    )
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "Someone else saved this record after you opened this form" in page
    assert "Alice" in page and "saved it at" in page
    changes = page.split('id="edit-conflict-changes"')[1].split("</table>")[0]
    assert "Known as" in changes and "Testy" in changes
    assert "Disability notes" not in changes  # only what the other person changed

    child.refresh_from_db()
    assert child.known_as == "Testy"
    assert child.disability_notes == ""

    # The form comes back with what B typed and A's change, at the current version.
    retry = edit_form(stale)
    data = submitted(retry)
    assert data["disability_notes"] == ["Uses a hearing aid"]
    assert data["known_as"] == ["Testy"]
    assert version_of(retry) != version_of(form_b)

    again = b.post(reverse("cse:child_edit", args=[child.pk]), data)
    assert again.status_code == 302
    child.refresh_from_db()
    assert (child.known_as, child.disability_notes) == ("Testy", "Uses a hearing aid")


def test_the_conflict_keeps_your_value_where_you_both_changed_a_field(two, child):
    a, b = two
    form_a, form_b = _open(a, child), _open(b, child)
    a.post(
        reverse("cse:child_edit", args=[child.pk]), submitted(form_a, known_as="Tess")
    )
    stale = b.post(
        reverse("cse:child_edit", args=[child.pk]), submitted(form_b, known_as="Tia")
    )
    assert stale.status_code == 409
    row = stale.content.decode().split('<th scope="row"')[1].split("</tr>")[0]
    assert "Known as" in row and "Tess" in row and "Tia" in row and "Your value" in row
    assert submitted(edit_form(stale))["known_as"] == ["Tia"]
    child.refresh_from_db()
    assert child.known_as == "Tess"


def test_a_change_outside_the_form_lets_both_saves_land(two, alice, carol, child):
    """Non-overlapping edits both land: a category assessment sets the child's
    current category, which the details form does not edit; the form opened
    before it still saves, and the category stays."""
    a, _ = two
    form = _open(a, child)
    b = Client()
    b.force_login(carol)
    recorded = b.post(
        reverse("cse:category_create", args=[child.pk]),
        {
            "category": "2",
            "assessed_on_0": "1",
            "assessed_on_1": "2",
            "assessed_on_2": str(datetime.date.today().year - 1),
            "source": CategoryAssessment.Source.PROFESSIONAL,
            "rationale": "Seen with older males",
        },
    )
    assert recorded.status_code == 302, recorded.content.decode()[:2000]
    child.refresh_from_db()
    assert child.current_category == Category.SIGNIFICANT

    saved = a.post(
        reverse("cse:child_edit", args=[child.pk]),
        submitted(form, known_as="Testy"),
    )
    assert saved.status_code == 302
    child.refresh_from_db()
    assert child.known_as == "Testy"
    assert child.current_category == Category.SIGNIFICANT


def test_a_fresh_form_saves_and_the_change_is_audited(client_for, alice, child):
    browser = client_for(alice)
    form = _open(browser, child)
    response = browser.post(
        reverse("cse:child_edit", args=[child.pk]), submitted(form, known_as="Testy")
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(
        action=AuditEvent.Action.CHANGE, object_type="cse.child"
    ).get()
    assert event.changes == {"known_as": ["", "Testy"]}


def test_a_form_without_its_version_saves_nothing(client_for, alice, child):
    browser = client_for(alice)
    data = submitted(_open(browser, child), known_as="Testy")
    for token in ([""], ["forged"], [version_of(_open(browser, _other_child(alice)))]):
        response = browser.post(
            reverse("cse:child_edit", args=[child.pk]), {**data, VERSION: token}
        )
        assert response.status_code == 409
        assert "did not say which version" in response.content.decode()
        child.refresh_from_db()
        assert child.known_as == ""


def test_the_conflict_page_is_audited_as_a_view(two, child):
    a, b = two
    form_a, form_b = _open(a, child), _open(b, child)
    a.post(
        reverse("cse:child_edit", args=[child.pk]), submitted(form_a, known_as="Tess")
    )
    b.post(reverse("cse:child_edit", args=[child.pk]), submitted(form_b))
    event = AuditEvent.objects.filter(summary__startswith="edit conflict").get()
    assert event.subject_id == child.pk
    assert event.detail == {"fields": ["known_as"]}


def test_a_save_after_your_own_save_in_another_tab_says_it_was_you(
    client_for, alice, child
):
    browser = client_for(alice)
    first, second = _open(browser, child), _open(browser, child)
    browser.post(
        reverse("cse:child_edit", args=[child.pk]), submitted(first, known_as="Tess")
    )
    response = browser.post(
        reverse("cse:child_edit", args=[child.pk]), submitted(second)
    )
    assert response.status_code == 409
    assert "You saved it (in another tab or window)" in response.content.decode()


def _other_child(alice) -> Child:
    from tests.factories import make_child

    return make_child(alice, forename="Othertest", surname="Example")


def test_the_token_names_its_row_and_is_signed(alice, child):
    token = concurrency.make_token(child, {"known_as": ""})
    assert concurrency.read_token(token, child) is not None
    assert concurrency.read_token(token, _other_child(alice)) is None
    assert concurrency.read_token(token[:-2] + "xx", child) is None
    assert "Testchild" not in token and "Sampleton" not in token


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two connections writing at once need PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_from_one_version_exactly_one_lands(
    alice, carol, child, monkeypatch
):
    """Both forms were read at the same version and are saved at the same moment,
    each in its own thread and database connection. Each save waits inside its
    transaction for the other to arrive there too: without the row lock both would,
    and both would be saved. With it the second waits for the first to commit, then
    finds the record changed."""
    browsers = []
    for user in (alice, carol):
        browser = Client()
        browser.force_login(user)
        browsers.append(browser)
    forms = [_open(browser, child) for browser in browsers]
    both_inside = threading.Barrier(2, timeout=3)
    update_subject = services.update_subject

    def meeting_the_other(**kwargs):
        # When the other save is held at the lock, the wait ends and this one goes on.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_inside.wait()
        return update_subject(**kwargs)

    monkeypatch.setattr(services, "update_subject", meeting_the_other)
    statuses: dict[str, int] = {}

    def save(browser, form, known_as: str) -> None:
        try:
            response = browser.post(
                reverse("cse:child_edit", args=[child.pk]),
                submitted(form, known_as=known_as),
            )
            statuses[known_as] = response.status_code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(browser, form, name))
        for browser, form, name in zip(browsers, forms, ("Tess", "Tia"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses.values()) == [302, 409], statuses
    winner = next(name for name, status in statuses.items() if status == 302)
    child.refresh_from_db()
    assert child.known_as == winner
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.CHANGE, object_type="cse.child"
        ).count()
        == 1
    )


def test_an_edit_writes_only_the_forms_columns(alice, child):
    """The record as the form read it is saved over a record changed since in a
    column the form does not edit: that column keeps the newer value."""
    stale = Child.objects.get(pk=child.pk)
    Child.objects.filter(pk=child.pk).update(current_category=Category.SERIOUS)
    services.update_subject(by=alice, subject=stale, fields={"known_as": "Testy"})
    child.refresh_from_db()
    assert child.known_as == "Testy"
    assert child.current_category == Category.SERIOUS
