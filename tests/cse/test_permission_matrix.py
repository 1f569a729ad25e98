"""Every URL of the core × every role × records owned, shared and not shared.

Each app keeps a file like this one (tests/<app>/test_permission_matrix.py) with
MATRIX, POST_ONLY and, where it has them, PUBLIC and OTHER; tests/test_url_coverage.py
fails the suite for any URL that none of them states.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from cse import services
from cse.models import Link, SharingDecision
from tests.factories import make_child, make_location, make_person, make_vehicle

CASTS = ["alice", "bob", "carol", "dave", "erin", "pam", "sam"]
RECORDERS = {"alice", "carol", "dave", "erin"}
CASEWORKERS = RECORDERS | {"bob"}
OWNER_AGENCY = {"alice", "bob", "carol", "sam"}

# How each view decides: see the record / change it (owner) / add to it / coordinator
# of a viewing agency / any caseworker / recorders / administrators / anyone signed in.
SEE, EDIT, ADD, COORDINATOR, CASEWORK, RECORD, ADMIN, ANY = (
    "see",
    "edit",
    "add",
    "coordinator",
    "casework",
    "record",
    "admin",
    "any",
)
# Any CSE coordinator (no record in the URL); the break-glass request page: the
# case-working roles without meeting administrators and chairs (the record is named
# in the POSTed form, never in the URL: test_break_glass_request_by_role below).
ANY_COORDINATOR, BREAK_GLASS = "any_coordinator", "break_glass"
BREAK_GLASS_CAST = {"alice", "carol", "dave", "erin"}

# url name -> (rule, kind of record in the URL or None)
MATRIX: dict[str, tuple[str, str | None]] = {
    "cse:home": (ANY, None),
    "cse:notifications": (ANY, None),
    "cse:search": (CASEWORK, None),
    "cse:child_list": (CASEWORK, None),
    "cse:person_list": (CASEWORK, None),
    "cse:location_list": (CASEWORK, None),
    "cse:child_create": (RECORD, None),
    "cse:person_create": (RECORD, None),
    "cse:location_create": (RECORD, None),
    "cse:vehicle_create": (RECORD, None),
    "cse:child_detail": (SEE, "child"),
    "cse:child_chronology": (SEE, "child"),
    "cse:child_edit": (EDIT, "child"),
    "cse:category_create": (ADD, "child"),
    "cse:flag_create": (ADD, "child"),
    "cse:plan_create": (ADD, "child"),
    "cse:person_detail": (SEE, "person"),
    "cse:person_edit": (EDIT, "person"),
    "cse:location_detail": (SEE, "location"),
    "cse:location_edit": (EDIT, "location"),
    "cse:vehicle_detail": (SEE, "vehicle"),
    "cse:vehicle_edit": (EDIT, "vehicle"),
    "cse:alias_create": (ADD, "person"),
    "cse:address_create": (ADD, "child"),
    "cse:phone_create": (ADD, "person"),
    "cse:warning_create": (ADD, "location"),
    "cse:link_create": (ADD, "child"),
    "cse:sharing": (SEE, "child"),
    "cse:share_create": (EDIT, "child"),
    "cse:access_log": (COORDINATOR, "child"),
    "cse:referral_list": (CASEWORK, None),
    "cse:referral_create": (ADD, "location"),
    "cse:audit_search": (ADMIN, None),
    "cse:import_children": (ADMIN, None),
    "cse:break_glass_start": (BREAK_GLASS, None),
    "cse:break_glass_reviews": (ANY_COORDINATOR, None),
}
# POST-only views: a GET is refused with 405; their POST rules are tested below.
POST_ONLY = {
    "cse:notification_open",
    "cse:flag_remove",
    "cse:link_end",
    "cse:share_withdraw",
    "cse:break_glass_end",
}
# Reachable without signing in (the session's status answers "signed out"; see
# tests/cse/test_session_timeout.py).
PUBLIC = {
    "login",
    "logout",
    "accessibility",
    "health",
    "health_live",
    "health_ready",
    "session_status",
    "session_keep_alive",
}
# Signed-in pages of Django's own (password change) and its admin site.
OTHER = {"password_change", "password_change_done", "step_up"}
# A break-glass grant's review page (a grant, not a record, in the URL): every cast
# member in test_break_glass_review_is_for_the_owning_coordinators below.
OTHER |= {"cse:break_glass_review"}
# The password reset, the second sign-in factor and the user's own factors: every
# user reaches them for their own account (tests/cse/test_two_factor.py and
# tests/cse/test_password_reset.py), and the security-key API of django-otp-webauthn.
OTHER |= {
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "second_factor",
    "authenticator_setup",
    "recovery_codes",
    "recovery_codes_new",
    "security_key_setup",
    "account_security",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
}


def expected(user: str, rule: str, state: str | None) -> int:
    visible = user in {"alice", "bob", "carol"} or (
        user == "dave" and state == "shared"
    )
    if rule == ANY:
        return 200
    if rule == CASEWORK:
        return 200 if user in CASEWORKERS else 403
    if rule == RECORD:
        return 200 if user in RECORDERS else 403
    if rule == ADMIN:
        return 200 if user == "sam" else 403
    if rule == ANY_COORDINATOR:
        return 200 if user == "carol" else 403
    if rule == BREAK_GLASS:
        return 200 if user in BREAK_GLASS_CAST else 403
    if not visible:
        return 404
    if rule == SEE:
        return 200
    if rule == EDIT:
        return 200 if user in {"alice", "carol"} else 403
    if rule == ADD:
        return 200 if user in RECORDERS else 403
    if rule == COORDINATOR:
        return 200 if user == "carol" else 403
    raise AssertionError(rule)


@pytest.fixture
def records(alice, dave, agency_b):
    """One record of each kind owned by agency A: shared with B, and private to A."""
    made = {}
    for kind, make in (
        ("child", make_child),
        ("person", make_person),
        ("location", make_location),
        ("vehicle", make_vehicle),
    ):
        shared = make(alice)
        private = make(alice)
        services.record_sharing_decision(
            by=alice,
            subject=shared,
            agency=agency_b,
            decision=SharingDecision.Decision.SHARE,
            purpose="Joint safeguarding work",
            consent=SharingDecision.Consent.GIVEN,
        )
        made[kind] = {"shared": shared, "private": private}
    return made


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_each_role_gets_what_the_matrix_says(
    url_name, records, client, alice, bob, carol, dave, erin, pam, sam
):
    rule, kind = MATRIX[url_name]
    users = {
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "dave": dave,
        "erin": erin,
        "pam": pam,
        "sam": sam,
    }
    states = ["shared", "private"] if kind else [None]
    failures = []
    for state in states:
        url = (
            reverse(url_name, args=[records[kind][state].pk])
            if kind
            else reverse(url_name)
        )
        client.logout()
        response = client.get(url)
        if response.status_code != 302 or not response["Location"].startswith(
            reverse("login")
        ):
            failures.append(("anonymous", state, response.status_code))
        for name in CASTS:
            client.force_login(users[name])
            status = client.get(url).status_code
            want = expected(name, rule, state)
            if status != want:
                failures.append((name, state, status, want))
    assert not failures, failures


@pytest.mark.parametrize("url_name", sorted(POST_ONLY))
def test_post_only_views_refuse_get(url_name, client, alice, child):
    client.force_login(alice)
    args = {
        "cse:notification_open": [1],
        "cse:flag_remove": [child.pk, 1],
        "cse:link_end": [child.pk, 1],
        "cse:share_withdraw": [child.pk],
        "cse:break_glass_end": [1],
    }[url_name]
    assert client.get(reverse(url_name, args=args)).status_code == 405


def test_public_pages_need_no_sign_in(client, db, beat_alive):
    for name in ["login", "accessibility", "health", "health_live", "health_ready"]:
        assert client.get(reverse(name)).status_code == 200


def test_flag_removal_follows_the_add_rule(client, records, alice, bob, dave, erin):
    child = records["child"]["shared"]
    flag = services.set_flag(
        by=alice,
        child=child,
        kind="county_lines",
        reason="Seen dealing",
        set_on=child.created_at.date(),
    )
    url = reverse("cse:flag_remove", args=[child.pk, flag.pk])
    for user, want in ((erin, 404), (bob, 403)):
        client.force_login(user)
        assert client.post(url, {"reason": "No longer applies"}).status_code == want
    flag.refresh_from_db()
    assert flag.removed_at is None
    client.force_login(dave)
    assert client.post(url, {"reason": "No longer applies"}).status_code == 302
    flag.refresh_from_db()
    assert flag.removed_at is not None


def test_share_withdrawal_is_for_the_owner_only(
    client, records, agency_b, alice, dave, erin
):
    child = records["child"]["shared"]
    url = reverse("cse:share_withdraw", args=[child.pk])
    data = {"agency": agency_b.pk, "purpose": "Work finished"}
    client.force_login(erin)
    assert client.post(url, data).status_code == 404
    client.force_login(dave)
    assert client.post(url, data).status_code == 403
    client.force_login(alice)
    assert client.post(url, data).status_code == 302
    client.force_login(dave)
    assert client.get(reverse("cse:child_detail", args=[child.pk])).status_code == 404


def test_link_end_needs_sight_of_both_ends(client, records, alice, dave, erin):
    child = records["child"]["shared"]
    person = records["person"]["private"]
    link = services.create_link(
        by=alice,
        from_subject=child,
        to_subject=person,
        kind=Link.Kind.SEEN_WITH,
        source=Link.Source.OBSERVATION,
        confidence=Link.Confidence.PROBABLE,
    )
    url = reverse("cse:link_end", args=[child.pk, link.pk])
    client.force_login(
        dave
    )  # sees the child but not the person: the link does not exist for him
    assert client.post(url, {"reason": "Wrong person"}).status_code == 404
    client.force_login(erin)
    assert client.post(url, {"reason": "Wrong person"}).status_code == 404
    client.force_login(alice)
    assert client.post(url, {"reason": "Wrong person"}).status_code == 302


def test_a_notification_opens_only_for_its_owner(client, alice, erin):
    notification = services.notify(
        users=[alice], message="Something to see", email=False
    )[0]
    url = reverse("cse:notification_open", args=[notification.pk])
    client.force_login(erin)
    assert client.post(url).status_code == 404
    client.force_login(alice)
    assert client.post(url).status_code == 302


def test_break_glass_review_is_for_the_owning_coordinators(
    client, records, alice, bob, carol, dave, erin, pam, sam
):
    from cse import break_glass

    grant = break_glass.open_break_glass(
        by=erin,
        subject=records["child"]["private"],
        reason_category="immediate_risk",
        reason="Referral by telephone",
    )
    url = reverse("cse:break_glass_review", args=[grant.pk])
    client.logout()
    assert client.get(url).status_code == 302
    # Anyone but the holding agency's coordinators: 404, as for a grant that does
    # not exist (no telling which grants exist).
    want = {
        "alice": 404,
        "bob": 404,
        "carol": 200,
        "dave": 404,
        "erin": 404,
        "pam": 404,
        "sam": 404,
    }
    users = {
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "dave": dave,
        "erin": erin,
        "pam": pam,
        "sam": sam,
    }
    got = {}
    for name, user in users.items():
        client.force_login(user)
        got[name] = client.get(url).status_code
    assert got == want


def test_break_glass_end_is_for_the_grants_holder_only(
    client, records, alice, bob, carol, dave, erin, pam, sam
):
    """Only the user who broke glass may end the grant; to everyone else (the
    owning agency's coordinator included) it is 404, and the grant stays in force."""
    from cse import break_glass
    from cse.models import BreakGlass

    grant = break_glass.open_break_glass(
        by=erin,
        subject=records["child"]["private"],
        reason_category="immediate_risk",
        reason="Referral by telephone",
    )
    url = reverse("cse:break_glass_end", args=[grant.pk])
    client.logout()
    assert client.post(url).status_code == 302  # to sign in
    for user in (alice, bob, carol, dave, pam, sam):
        client.force_login(user)
        assert client.post(url).status_code == 404, user.username
        assert client.get(url).status_code == 405
    assert BreakGlass.objects.get(pk=grant.pk).expires_at == grant.expires_at
    client.force_login(erin)
    assert client.post(url).status_code == 302
    # Over: 404 to the holder too.
    assert client.post(url).status_code == 404


def test_break_glass_request_by_role(
    client, records, alice, bob, carol, dave, erin, pam, sam
):
    """The break-glass request names the record by its reference in the POSTed
    form: a case worker whose agency cannot see it is granted access (302 to it);
    one whose agency can see it, or any reference without a record, gets the same
    neutral page (200); meeting administrators and roles without casework, 403."""
    from cse import break_glass
    from cse.models import BreakGlass

    url = reverse("cse:break_glass_start")
    reason = {
        "reason_category": "immediate_risk",
        "reason": "Referral by telephone",
        "understood": "on",
    }
    users = {
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "dave": dave,
        "erin": erin,
        "pam": pam,
        "sam": sam,
    }
    want = {
        ("alice", "shared"): 200,
        ("alice", "private"): 200,
        ("bob", "shared"): 403,
        ("bob", "private"): 403,
        ("carol", "shared"): 200,
        ("carol", "private"): 200,
        ("dave", "shared"): 200,
        ("dave", "private"): 302,
        ("erin", "shared"): 302,
        ("erin", "private"): 302,
        ("pam", "shared"): 403,
        ("pam", "private"): 403,
        ("sam", "shared"): 403,
        ("sam", "private"): 403,
    }
    client.logout()
    assert client.post(url, {"reference": "C-000001", **reason}).status_code == 302
    got = {}
    for name, user in users.items():
        client.force_login(user)
        for state in ("shared", "private"):
            reference = records["child"][state].reference
            response = client.post(url, {"reference": reference, **reason})
            got[name, state] = response.status_code
            if response.status_code == 200:
                assert break_glass.NO_ACCESS_OPENED in response.content.decode()
        if name in BREAK_GLASS_CAST:
            response = client.post(url, {"reference": "C-999999", **reason})
            assert break_glass.NO_ACCESS_OPENED in response.content.decode()
    assert got == want
    assert set(BreakGlass.objects.values_list("user__username", flat=True)) == {
        "dave",
        "erin",
    }
