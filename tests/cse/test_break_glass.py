"""Break-glass: a case worker opens one record not shared with their agency, by the
reference another agency gave them, for at most an hour, read-only; the owning
agency's coordinators are told and review it; every request under it is audited."""

from __future__ import annotations

import datetime
import re
import time
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cse import break_glass, permissions, stepup
from cse.models import AuditEvent, BreakGlass, Notification, Role
from tests.factories import UserFactory, make_child, make_person

pytestmark = pytest.mark.django_db

REASON = {
    "reason_category": "immediate_risk",
    "reason": "Referral by telephone from the out-of-hours team",
    "understood": "on",
}


@pytest.fixture
def coordinator_mail(carol):
    carol.email = "carol@example.test"
    carol.save()
    return carol


@pytest.fixture
def erins_coordinator(agency_c):
    """A CSE coordinator of erin's own agency (C)."""
    return UserFactory(
        username="cora",
        first_name="Cora",
        agency=agency_c,
        roles=[Role.CSE_COORDINATOR],
    )


def _request(client, reference, **fields):
    return client.post(
        reverse("cse:break_glass_start"), {"reference": reference, **REASON, **fields}
    )


def _open(client, user, subject, **fields):
    client.force_login(user)
    response = _request(client, subject.reference, **fields)
    assert response.status_code == 302, response.content
    return BreakGlass.objects.filter(user=user, subject=subject).first()


def _later(minutes: int):
    """Move the clock the permission check reads (the session's own expiry would
    otherwise sign the user out first)."""
    moved = timezone.now() + datetime.timedelta(minutes=minutes)
    return mock.patch.object(
        permissions, "timezone", mock.Mock(now=mock.Mock(return_value=moved))
    )


def _page(response, *references) -> str:
    """The page with what differs between any two renderings taken out: the masked
    CSRF token, the forms' one-time tokens, and the reference the user typed
    (echoed in the box)."""
    text = re.sub(
        r'name="(?:csrfmiddlewaretoken|submission_token)" value="[^"]*"',
        "",
        response.content.decode(),
    )
    for reference in references:
        text = text.replace(reference, "REFERENCE")
    return text


def _queries(client, data, *references) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        client.post(reverse("cse:break_glass_start"), data)
    sql = []
    for query in captured.captured_queries:
        text = query["sql"]
        for reference in references:
            text = text.replace(reference, "REFERENCE")
        # Timestamps and ids of the audit row differ from one request to the next.
        text = re.sub(r'"s\d+_x\d+"', "savepoint", text)
        sql.append(re.sub(r"'[^']*'|\b\d+\b", "?", text))
    return sql


def test_before_a_reason_is_given_the_answer_is_the_same_for_any_reference(
    client, erin, child
):
    """No existence oracle: an existing record's reference and one no record has get
    the same status, the same page, and the same database work (nothing is looked
    up until the whole request is there)."""
    client.force_login(erin)
    missing = "C-999999"
    assert not BreakGlass.objects.exists()
    for partial in (
        {},
        {"reason_category": "immediate_risk"},
        {"reason_category": "immediate_risk", "reason": "Rang by the police"},
        {**REASON, "understood": ""},
    ):
        known = client.post(
            reverse("cse:break_glass_start"), {"reference": child.reference, **partial}
        )
        unknown = client.post(
            reverse("cse:break_glass_start"), {"reference": missing, **partial}
        )
        assert known.status_code == unknown.status_code == 200
        assert _page(known, child.reference) == _page(unknown, missing)
        assert _queries(
            client, {"reference": child.reference, **partial}, child.reference
        ) == _queries(client, {"reference": missing, **partial}, missing)
    for secret in ["Testchild", "Sampleton", "Testshire Children"]:
        assert secret not in known.content.decode()
    assert not BreakGlass.objects.exists()


def test_a_reference_in_the_address_does_nothing(client, erin, child):
    client.force_login(erin)
    url = reverse("cse:break_glass_start")
    plain = client.get(url)
    with_reference = client.get(url, {"reference": child.reference})
    assert _page(plain) == _page(with_reference)
    assert child.reference not in with_reference.content.decode()
    assert not BreakGlass.objects.exists()


def test_no_break_glass_address_takes_a_record(client, erin, child):
    """The record is named only by its reference in the form: the old address that
    took the record's id (and answered 200 or 404 by whether it existed) is gone."""
    from django.urls import NoReverseMatch, get_resolver

    with pytest.raises(NoReverseMatch):
        reverse("cse:break_glass_request", args=[child.pk])
    client.force_login(erin)
    for pk in (child.pk, 999_999):
        response = client.post(f"/break-glass/records/{pk}/", REASON)
        assert response.status_code == 404
    routes = [
        str(pattern.pattern)
        for pattern in get_resolver().url_patterns
        if getattr(pattern, "app_name", None) == "cse"
        for pattern in pattern.url_patterns
    ]
    break_glass_routes = [r for r in routes if r.startswith("break-glass/")]
    assert break_glass_routes and not any("records" in r for r in break_glass_routes)
    assert not BreakGlass.objects.exists()


def test_after_the_reason_a_missing_or_visible_record_gets_one_neutral_answer(
    client, alice, erin, child
):
    client.force_login(erin)
    answers = set()
    for reference in ["C-999999", f"P-{child.pk:06d}", "c 0"]:
        response = _request(client, reference)
        assert response.status_code == 200
        assert break_glass.NO_ACCESS_OPENED in response.content.decode()
        answers.add(_page(response, reference))
    # A record alice's agency holds: the same answer, and no grant.
    client.force_login(alice)
    response = _request(client, child.reference)
    assert response.status_code == 200
    assert break_glass.NO_ACCESS_OPENED in response.content.decode()
    assert not BreakGlass.objects.exists()
    assert len(answers) == 1


def test_a_malformed_reference_is_refused_for_its_form_only(client, erin):
    client.force_login(erin)
    response = _request(client, "not a reference")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Enter the record reference as a letter" in text
    assert break_glass.NO_ACCESS_OPENED not in text


def test_a_known_reference_with_a_reason_opens_the_record(client, erin, child):
    client.force_login(erin)
    response = _request(client, child.reference.lower().replace("-", " "))
    assert response["Location"] == reverse("cse:child_detail", args=[child.pk])
    grant = BreakGlass.objects.get(user=erin, subject=child)
    assert grant.reason == REASON["reason"]


def test_the_reason_is_required(client, erin, child):
    client.force_login(erin)
    url = reverse("cse:break_glass_start")
    response = client.post(
        url,
        {
            "reference": child.reference,
            "reason_category": "immediate_risk",
            "reason": "",
        },
    )
    assert response.status_code == 200
    assert "Enter why you need to see this record now" in response.content.decode()
    response = _request(client, child.reference, understood="")
    assert response.status_code == 200
    assert not BreakGlass.objects.exists()


def test_the_request_needs_a_fresh_identity_check(client, erin, child, settings):
    client.force_login(erin)
    session = client.session
    session[stepup.CHECKED_AT] = time.time() - settings.STEP_UP_MINUTES * 60 - 5
    session.save()
    url = reverse("cse:break_glass_start")
    response = client.post(url, {"reference": child.reference, **REASON})
    assert response.status_code == 302
    assert response["Location"] == stepup.confirm_url(url)
    assert client.get(url)["Location"] == stepup.confirm_url(url)
    assert not BreakGlass.objects.exists()


def test_breaking_glass_opens_that_one_record_read_only(
    client, erin, alice, child, agency_b
):
    other = make_child(alice, forename="Testother", surname="Hiddenton")
    person = make_person(alice)
    grant = _open(client, erin, child)
    assert grant.expires_at - grant.granted_at == datetime.timedelta(minutes=60)
    assert grant.agency == erin.agency and grant.owner_agency == alice.agency
    detail = client.get(reverse("cse:child_detail", args=[child.pk]))
    assert detail.status_code == 200 and "Sampleton" in detail.content.decode()
    assert (
        client.get(reverse("cse:child_chronology", args=[child.pk])).status_code == 200
    )
    # Nothing more: other records stay hidden.
    assert client.get(reverse("cse:child_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("cse:person_detail", args=[person.pk])).status_code == 404
    # Read-only: no edit, share or add, by GET or POST.
    assert client.get(reverse("cse:child_edit", args=[child.pk])).status_code == 403
    assert client.get(reverse("cse:share_create", args=[child.pk])).status_code == 403
    assert client.get(reverse("cse:alias_create", args=[child.pk])).status_code == 403
    assert client.get(reverse("cse:access_log", args=[child.pk])).status_code == 403
    assert (
        client.post(
            reverse("cse:alias_create", args=[child.pk]), {"name": "Testalias"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("cse:share_create", args=[child.pk]),
            {
                "agency": agency_b.pk,
                "decision": "share",
                "purpose": "x",
                "consent": "given",
            },
        ).status_code
        == 404
    )
    assert not child.aliases.exists()


def test_lists_and_search_never_include_a_break_glass_record(client, erin, child):
    _open(client, erin, child)
    listing = client.get(reverse("cse:child_list")).content.decode()
    assert "Sampleton" not in listing
    client.post(reverse("cse:search"), {"query": "Sampleton", "kinds": ["child"]})
    results = client.get(reverse("cse:search")).content.decode()
    assert "0 results" in results
    assert reverse("cse:child_detail", args=[child.pk]) not in results
    assert not permissions.visible_children(erin).filter(pk=child.pk).exists()


def test_every_request_under_the_grant_is_audited_with_it(client, erin, child):
    grant = _open(client, erin, child)
    client.get(reverse("cse:child_detail", args=[child.pk]))
    client.get(reverse("cse:child_chronology", args=[child.pk]))
    events = AuditEvent.objects.filter(break_glass=grant)
    paths = set(events.values_list("path", flat=True))
    assert reverse("cse:child_detail", args=[child.pk]) in paths
    assert reverse("cse:child_chronology", args=[child.pk]) in paths
    opened = events.filter(action=AuditEvent.Action.BREAK_GLASS, subject=child)
    assert opened.count() == 3  # the grant itself and one per request
    assert events.filter(action=AuditEvent.Action.VIEW).count() == 2
    grant_event = events.get(object_type="cse.breakglass")
    assert grant_event.detail["reason"] == REASON["reason"]
    # Events of other requests carry no grant.
    client.get(reverse("cse:child_list"))
    assert AuditEvent.objects.filter(action="list", break_glass__isnull=True).exists()
    assert not AuditEvent.objects.filter(action="list", break_glass=grant).exists()


def test_after_the_hour_the_record_is_hidden_again(client, erin, child):
    _open(client, erin, child)
    url = reverse("cse:child_detail", args=[child.pk])
    with _later(59):
        assert client.get(url).status_code == 200
    with _later(61):
        assert client.get(url).status_code == 404


def test_the_duration_cannot_be_raised_above_an_hour(client, erin, child, settings):
    settings.BREAK_GLASS_MINUTES = 240
    grant = _open(client, erin, child)
    assert grant.expires_at - grant.granted_at == datetime.timedelta(minutes=60)
    settings.BREAK_GLASS_MINUTES = 15
    assert break_glass.duration() == datetime.timedelta(minutes=15)


def test_the_setting_refuses_more_than_an_hour(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import cse.settings

    monkeypatch.setenv("BREAK_GLASS_MINUTES", "90")
    with pytest.raises(ImproperlyConfigured):
        importlib.reload(cse.settings)
    monkeypatch.setenv("BREAK_GLASS_MINUTES", "60")
    importlib.reload(cse.settings)


def test_roles_without_casework_cannot_break_glass(client, pam, sam, child):
    for user in (pam, sam):
        client.force_login(user)
        assert client.get(reverse("cse:break_glass_start")).status_code == 403
        assert _request(client, child.reference).status_code == 403
    assert not BreakGlass.objects.exists()


@pytest.fixture
def chair(agency_b):
    return UserFactory(username="chad", agency=agency_b, roles=[Role.MEETING_CHAIR])


def test_meeting_administrators_and_chairs_cannot_break_glass(
    client, bob, chair, child
):
    """They see records for their meetings; break-glass is for case-working roles."""
    for user in (bob, chair):
        client.force_login(user)
        assert client.get(reverse("cse:break_glass_start")).status_code == 403
        assert _request(client, child.reference).status_code == 403
        assert not break_glass.may_break_glass(user)
    assert not BreakGlass.objects.exists()


def test_the_case_working_roles_may_break_glass(db, alice, carol, dave, erin):
    police_intelligence = UserFactory(
        agency=dave.agency, roles=[Role.POLICE_INTELLIGENCE]
    )
    for user in (alice, carol, dave, erin, police_intelligence):
        assert break_glass.may_break_glass(user), user.username


def test_a_setting_lets_meeting_chairs_break_glass(client, settings, chair, child):
    settings.BREAK_GLASS_ROLES = [*settings.BREAK_GLASS_ROLES, "meeting_chair"]
    assert break_glass.may_break_glass(chair)
    grant = _open(client, chair, child)
    assert grant is not None and grant.agency == chair.agency
    # Roles outside casework are never added, whatever the setting holds.
    settings.BREAK_GLASS_ROLES = ["partnership_manager", "system_administrator"]
    assert break_glass.roles() == frozenset()


def test_the_role_setting_is_parsed_strictly(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import cse.settings

    try:
        for wrong in ["partnership_manager", "practitioner,chair", "admin"]:
            monkeypatch.setenv("BREAK_GLASS_ROLES", wrong)
            with pytest.raises(ImproperlyConfigured, match="BREAK_GLASS_ROLES"):
                importlib.reload(cse.settings)
        monkeypatch.setenv("BREAK_GLASS_ROLES", "practitioner, meeting_chair")
        importlib.reload(cse.settings)
        assert cse.settings.BREAK_GLASS_ROLES == ["practitioner", "meeting_chair"]
        monkeypatch.setenv("BREAK_GLASS_ROLES", "")
        importlib.reload(cse.settings)
        assert "meeting_chair" not in cse.settings.BREAK_GLASS_ROLES
        assert "practitioner" in cse.settings.BREAK_GLASS_ROLES
    finally:
        monkeypatch.delenv("BREAK_GLASS_ROLES")
        importlib.reload(cse.settings)


def test_the_daily_limit_setting_is_parsed_strictly(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import cse.settings

    try:
        for wrong in ["three", "0", "-1", "2.5", "21"]:
            monkeypatch.setenv("BREAK_GLASS_DAILY_LIMIT", wrong)
            with pytest.raises(ImproperlyConfigured, match="BREAK_GLASS_DAILY_LIMIT"):
                importlib.reload(cse.settings)
        monkeypatch.setenv("BREAK_GLASS_DAILY_LIMIT", "5")
        importlib.reload(cse.settings)
        assert cse.settings.BREAK_GLASS_DAILY_LIMIT == 5
    finally:
        monkeypatch.delenv("BREAK_GLASS_DAILY_LIMIT")
        importlib.reload(cse.settings)
    assert cse.settings.BREAK_GLASS_DAILY_LIMIT == 3


def test_outside_a_request_a_grant_opens_nothing(client, erin, child):
    _open(client, erin, child)
    from django.http import Http404

    with pytest.raises(Http404):
        permissions.get_visible_or_404(erin, type(child), child.pk)


def test_the_owning_coordinators_are_told_without_personal_data_by_email(
    client, erin, child, coordinator_mail, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        grant = _open(client, erin, child)
    notification = Notification.objects.get(user=coordinator_mail)
    assert child.reference in notification.message
    assert "Sampleton" not in notification.message
    assert notification.url == reverse("cse:break_glass_review", args=[grant.pk])
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    for secret in ["Sampleton", "Testchild", child.reference, "break"]:
        assert secret not in email.subject


def test_each_grant_also_tells_the_holders_own_coordinators_by_reference_only(
    client, erin, carol, child, erins_coordinator, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        grant = _open(client, erin, child)
    own = Notification.objects.get(user=erins_coordinator)
    assert grant.reference in own.message
    # A record not shared with their agency: no reference, no names, no link to it.
    for secret in [child.reference, "Sampleton", "Testchild", "Erin", "erin"]:
        assert secret not in own.message
    assert own.url == ""
    # The holding agency's coordinator is told as before; the holder is not.
    assert Notification.objects.filter(user=carol).count() == 1
    assert not Notification.objects.filter(user=erin).exists()
    assert {m.to[0] for m in mail.outbox} == {
        erins_coordinator.email,
        carol.email,
    } - {""}
    for email in mail.outbox:
        for secret in ["Sampleton", child.reference, grant.reference]:
            assert secret not in email.subject and secret not in email.body


def test_at_most_the_daily_limit_of_grants_a_day(client, alice, erin, settings, child):
    """Found: eight grants in a row across kinds of record. Now three a day (the
    setting's default), after which every request gets the same clear answer,
    whatever the reference."""
    assert settings.BREAK_GLASS_DAILY_LIMIT == 3
    records = [
        child,
        make_child(alice, forename="Testsecond", surname="Kidd"),
        make_person(alice),
        make_child(alice, forename="Testfourth", surname="Kidd"),
    ]
    for record in records[:3]:
        assert _open(client, erin, record) is not None
    page = client.get(reverse("cse:break_glass_start")).content.decode()
    assert "you have had 3 today" in page
    for reference in (records[3].reference, "C-999999"):
        response = _request(client, reference)
        assert response.status_code == 200
        text = response.content.decode()
        assert "You have had 3 break-glass accesses today" in text
        assert break_glass.NO_ACCESS_OPENED not in text
    assert BreakGlass.objects.filter(user=erin).count() == 3
    refused = AuditEvent.objects.filter(
        user=erin, action="search", detail__outcome="daily_limit"
    )
    assert refused.count() == 2
    assert refused.filter(subject=records[3]).exists()
    # Tomorrow the count starts again.
    BreakGlass.objects.filter(user=erin).update(
        granted_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert _open(client, erin, records[3]) is not None


def test_the_limit_is_the_settings(client, alice, erin, settings, child):
    settings.BREAK_GLASS_DAILY_LIMIT = 1
    _open(client, erin, child)
    other = make_child(alice, forename="Testsecond", surname="Kidd")
    response = _request(client, other.reference)
    assert "You have had 1 break-glass access today" in response.content.decode()
    with pytest.raises(ValidationError):
        break_glass.open_break_glass(
            by=erin, subject=other, reason_category="immediate_risk", reason="New"
        )


def test_an_ended_grant_is_not_opened_again_without_a_new_reason(client, erin, child):
    """Found: re-granted at once after ending. Sending the same request again is
    refused; a new request with its own reason is a new grant and counts."""
    first = _open(client, erin, child)
    client.post(reverse("cse:break_glass_end", args=[first.pk]))
    url = reverse("cse:child_detail", args=[child.pk])
    assert client.get(url).status_code == 404
    again = _request(client, child.reference)
    assert again.status_code == 200
    assert "A new access is a new request" in again.content.decode()
    # The same words, spaced or cased differently, are the same reason.
    again = _request(client, child.reference, reason=f"  {REASON['reason'].upper()} ")
    assert "A new access is a new request" in again.content.decode()
    assert BreakGlass.objects.filter(user=erin).count() == 1
    assert client.get(url).status_code == 404
    second = _open(
        client, erin, child, reason="The child has gone missing again tonight"
    )
    assert second.pk != first.pk
    assert client.get(url).status_code == 200
    assert break_glass.grants_today(erin) == 2
    page = client.get(reverse("cse:break_glass_start")).content.decode()
    assert "opening the same record again is a new request" in page
    assert "needs a new reason and counts towards the 3" in page


def test_an_expired_grant_is_not_opened_again_without_a_new_reason(erin, child):
    grant = break_glass.open_break_glass(
        by=erin, subject=child, reason_category="immediate_risk", reason="First"
    )
    BreakGlass.objects.filter(pk=grant.pk).update(
        granted_at=timezone.now() - datetime.timedelta(hours=2),
        expires_at=timezone.now() - datetime.timedelta(hours=1),
    )
    with pytest.raises(ValidationError, match="new request"):
        break_glass.open_break_glass(
            by=erin, subject=child, reason_category="immediate_risk", reason="first"
        )
    assert break_glass.open_break_glass(
        by=erin, subject=child, reason_category="missing_child", reason="Missing now"
    )


def test_a_grant_in_force_is_not_granted_twice(client, erin, child):
    _open(client, erin, child)
    response = _request(client, child.reference, reason="Another reason")
    assert response.status_code == 200
    assert break_glass.NO_ACCESS_OPENED in response.content.decode()
    assert BreakGlass.objects.filter(user=erin).count() == 1


def test_every_step_is_in_the_trail_with_the_reference(client, erin, child):
    client.force_login(erin)
    client.get(reverse("cse:break_glass_start"))
    assert AuditEvent.objects.filter(
        user=erin, action="view", summary__startswith="break-glass"
    ).exists()
    client.post(reverse("cse:break_glass_start"), {"reference": child.reference})
    incomplete = AuditEvent.objects.get(
        user=erin, summary="break-glass request incomplete"
    )
    # Nothing was looked up: the event names what was typed, not a record.
    assert incomplete.detail["reference"] == child.reference
    assert incomplete.subject_id is None
    assert "reason" in incomplete.detail["missing"]
    _request(client, "C-999999")
    missing = AuditEvent.objects.get(user=erin, detail__outcome="no_access_opened")
    assert missing.detail["reference"] == "C-999999" and not missing.detail["found"]
    grant = _open(client, erin, child)
    granted = AuditEvent.objects.get(break_glass=grant, object_type="cse.breakglass")
    assert granted.detail["reference"] == child.reference
    assert granted.subject_id == child.pk


def test_a_grant_review_is_not_found_by_anyone_who_may_not_review_it(
    client, alice, bob, carol, erin, child
):
    """Found with the record pages: 403 for a grant that exists and 404 for one that
    does not told the holding agency's staff which grants exist."""
    grant = break_glass.open_break_glass(
        by=erin, subject=child, reason_category="immediate_risk", reason="Phoned"
    )
    for user in (alice, bob, erin):
        client.force_login(user)
        for pk in (grant.pk, grant.pk + 1000):
            url = reverse("cse:break_glass_review", args=[pk])
            assert client.get(url).status_code == 404, user.username
    client.force_login(carol)
    assert (
        client.get(reverse("cse:break_glass_review", args=[grant.pk])).status_code
        == 200
    )


def test_the_coordinator_reviews_the_access(client, erin, carol, child):
    grant = _open(client, erin, child)
    client.get(reverse("cse:child_detail", args=[child.pk]))
    client.force_login(carol)
    home = client.get(reverse("cse:home")).content.decode()
    assert "Break-glass access to review" in home and grant.reference in home
    assert reverse("cse:break_glass_reviews") in home  # the nav item
    page = client.get(reverse("cse:break_glass_review", args=[grant.pk]))
    text = page.content.decode()
    assert REASON["reason"] in text
    assert reverse("cse:child_detail", args=[child.pk]) in text  # what was opened
    url = reverse("cse:break_glass_review", args=[grant.pk])
    missing = client.post(url, {"outcome": "not_appropriate", "comment": ""})
    assert missing.status_code == 200
    response = client.post(
        url, {"outcome": "not_appropriate", "comment": "Should have phoned us"}
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.review == BreakGlass.Review.NOT_APPROPRIATE
    assert grant.reviewed_by == carol
    event = AuditEvent.objects.get(action=AuditEvent.Action.BREAK_GLASS_REVIEW)
    assert event.user == carol and event.detail["outcome"] == "not_appropriate"
    home = client.get(reverse("cse:home")).content.decode()
    assert "Break-glass access to review" not in home
    assert reverse("cse:break_glass_reviews") not in home
    # Reviewed once only.
    client.post(url, {"outcome": "appropriate", "comment": "Changed my mind"})
    grant.refresh_from_db()
    assert grant.review == BreakGlass.Review.NOT_APPROPRIATE


def test_the_practitioner_sees_their_grant_on_the_home_page(client, erin, child):
    _open(client, erin, child)
    home = client.get(reverse("cse:home")).content.decode()
    assert "Your break-glass access in force" in home
    assert reverse("cse:child_detail", args=[child.pk]) in home


def test_ordinary_lists_do_not_look_for_grants(client, alice, erin, child):
    """Users pay nothing for break-glass unless a record is opened through it."""
    _open(client, erin, child)
    for user in (alice, erin):
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("cse:child_list")).status_code == 200
        assert not any("cse_breakglass" in q["sql"] for q in queries.captured_queries)


def test_a_shared_record_is_not_reached_through_break_glass(
    client, alice, dave, child, agency_b
):
    from cse import services
    from cse.models import SharingDecision

    services.record_sharing_decision(
        by=alice,
        subject=child,
        agency=agency_b,
        decision=SharingDecision.Decision.SHARE,
        purpose="Joint work",
        consent=SharingDecision.Consent.GIVEN,
    )
    client.force_login(dave)
    response = _request(client, child.reference)
    assert response.status_code == 200
    assert break_glass.NO_ACCESS_OPENED in response.content.decode()
    assert not BreakGlass.objects.exists()


def test_the_holder_ends_their_access_early_from_the_record_banner(client, erin, child):
    grant = _open(client, erin, child)
    url = reverse("cse:child_detail", args=[child.pk])
    page = client.get(url).content.decode()
    end = reverse("cse:break_glass_end", args=[grant.pk])
    # The record's banner says it is read under break-glass, with the way out.
    assert f"Break-glass access {grant.reference}" in page
    assert f'action="{end}"' in page and "End access now" in page
    assert "csrfmiddlewaretoken" in page
    # GET does nothing.
    assert client.get(end).status_code == 405
    response = client.post(end)
    assert response.status_code == 302 and response.url == reverse("cse:home")
    grant.refresh_from_db()
    assert grant.expires_at <= timezone.now()
    assert grant.expires_at > grant.granted_at
    # The record is hidden again at once, in this very next request.
    assert client.get(url).status_code == 404
    assert permissions.active_break_glass(erin, child.pk) is None
    ended = AuditEvent.objects.filter(
        break_glass=grant, action=AuditEvent.Action.BREAK_GLASS, detail__ended=True
    ).get()
    assert ended.detail["grant"] == grant.pk
    assert ended.subject_id == child.pk and ended.user == erin
    assert grant.reference in ended.summary
    home = client.get(reverse("cse:home")).content.decode()
    assert "Your break-glass access in force" not in home
    # The owning agency's review still follows.
    assert grant.review == BreakGlass.Review.PENDING


def test_the_holder_ends_their_access_from_the_home_panel(client, erin, child):
    grant = _open(client, erin, child)
    home = client.get(reverse("cse:home")).content.decode()
    end = reverse("cse:break_glass_end", args=[grant.pk])
    assert f'action="{end}"' in home and "End access now" in home
    followed = client.post(end, follow=True).content.decode()
    assert f"Break-glass access {grant.reference} ended" in followed
    assert "Your break-glass access in force" not in followed


def test_ending_needs_the_csrf_token(erin, child):
    from django.test import Client

    grant = BreakGlass.objects.create(
        user=erin,
        agency=erin.agency,
        owner_agency=child.owner_agency,
        subject=child,
        reason_category="immediate_risk",
        reason="Synthetic reason",
        granted_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(minutes=30),
    )
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(erin)
    end = reverse("cse:break_glass_end", args=[grant.pk])
    assert strict.post(end).status_code == 403
    grant.refresh_from_db()
    assert grant.expires_at > timezone.now()


def test_pages_not_opened_through_a_grant_have_no_banner(client, erin, alice, child):
    _open(client, erin, child)
    assert (
        "End access now" not in client.get(reverse("cse:child_list")).content.decode()
    )
    client.force_login(alice)
    page = client.get(reverse("cse:child_detail", args=[child.pk])).content.decode()
    assert "End access now" not in page and "under break-glass" not in page


def test_a_typed_reference_the_trail_cannot_hold_is_refused_cleanly(client, erin):
    client.force_login(erin)
    response = client.post(
        reverse("cse:break_glass_start"), {"reference": "C-00\x0012\u202e"}
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(user=erin, summary="break-glass request incomplete")
    assert event.detail["reference"] == "C-0012"


def test_search_offers_break_glass_only_to_those_who_may(client, alice, bob):
    url = reverse("cse:break_glass_start")
    for user, offered in ((alice, True), (bob, False)):
        client.force_login(user)
        page = client.get(reverse("cse:search")).content.decode()
        assert (url in page) is offered, user.username
