"""Break-glass: a case worker opens one record not shared with their agency, by the
reference another agency gave them, for at most an hour, read-only; the owning
agency's coordinators are told and review it; every request under it is audited."""

from __future__ import annotations

import datetime
import time
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cse import break_glass, permissions, stepup
from cse.models import AuditEvent, BreakGlass, Notification
from tests.factories import make_child, make_person

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


def _open(client, user, subject):
    client.force_login(user)
    response = client.post(
        reverse("cse:break_glass_request", args=[subject.pk]), REASON
    )
    assert response.status_code == 302, response.content
    return BreakGlass.objects.get(user=user, subject=subject)


def _later(minutes: int):
    """Move the clock the permission check reads (the session's own expiry would
    otherwise sign the user out first)."""
    moved = timezone.now() + datetime.timedelta(minutes=minutes)
    return mock.patch.object(
        permissions, "timezone", mock.Mock(now=mock.Mock(return_value=moved))
    )


def test_an_unknown_reference_says_only_that_there_is_no_such_record(
    client, erin, child
):
    client.force_login(erin)
    url = reverse("cse:break_glass_start")
    for reference in ["C-999999", f"P-{child.pk:06d}", "not a reference"]:
        response = client.post(url, {"reference": reference})
        assert response.status_code == 200
        assert "There is no record with that reference" in response.content.decode()


def test_a_known_reference_asks_for_the_reason_without_naming_the_record(
    client, erin, child
):
    client.force_login(erin)
    response = client.post(
        reverse("cse:break_glass_start"), {"reference": child.reference.lower()}
    )
    assert response["Location"] == reverse("cse:break_glass_request", args=[child.pk])
    page = client.get(response["Location"]).content.decode()
    assert child.reference in page
    for secret in ["Testchild", "Sampleton", "Testshire Children"]:
        assert secret not in page
    looked_up = AuditEvent.objects.filter(user=erin, action="search").last()
    assert looked_up.detail == {"reference": child.reference, "found": True}


def test_a_record_the_agency_holds_goes_straight_to_it(client, alice, child):
    client.force_login(alice)
    response = client.post(
        reverse("cse:break_glass_start"), {"reference": child.reference}
    )
    assert response["Location"] == reverse("cse:child_detail", args=[child.pk])
    assert not BreakGlass.objects.exists()


def test_the_reason_is_required(client, erin, child):
    client.force_login(erin)
    url = reverse("cse:break_glass_request", args=[child.pk])
    response = client.post(url, {"reason_category": "immediate_risk", "reason": ""})
    assert response.status_code == 200
    assert "Enter why you need to see this record now" in response.content.decode()
    response = client.post(url, {**REASON, "understood": ""})
    assert response.status_code == 200
    assert not BreakGlass.objects.exists()


def test_the_request_needs_a_fresh_identity_check(client, erin, child, settings):
    client.force_login(erin)
    session = client.session
    session[stepup.CHECKED_AT] = time.time() - settings.STEP_UP_MINUTES * 60 - 5
    session.save()
    url = reverse("cse:break_glass_request", args=[child.pk])
    response = client.post(url, REASON)
    assert response.status_code == 302
    assert response["Location"] == stepup.confirm_url(url)
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
        assert (
            client.post(
                reverse("cse:break_glass_request", args=[child.pk]), REASON
            ).status_code
            == 403
        )
    assert not BreakGlass.objects.exists()


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
    response = client.post(reverse("cse:break_glass_request", args=[child.pk]), REASON)
    assert response["Location"] == reverse("cse:child_detail", args=[child.pk])
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
