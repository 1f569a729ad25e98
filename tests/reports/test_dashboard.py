"""The dashboard: every measure by quarter on hand-built data with known answers,
across quarter boundaries (Q1 2026 is April-June, Q2 July-September, BST)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cse.models import AuditEvent, LocalArea, Role
from meetings.models import Action, Meeting, MeetingType
from missing.models import ReturnInterview, rhi_due
from reports import dashboard, disclosure
from reports.views import CHART_WIDTH
from screening.models import Screening, ToolDefinition
from tests.factories import (
    AgencyFactory,
    LocalAreaFactory,
    UserFactory,
    make_child,
    make_person,
)
from tests.reports.helpers import build, episode, local
from tests.reports.test_profile import cawn, tactic

pytestmark = pytest.mark.django_db

D = datetime.date
NOW = local(2026, 11, 23, 18)


def screening(child, by, submitted, **fields):
    return Screening.objects.create(
        child=child,
        definition=ToolDefinition.objects.first(),
        status="submitted" if submitted else "draft",
        category=1 if submitted else None,
        rationale="Synthetic rationale" if submitted else "",
        author=by,
        author_agency=by.agency,
        submitted_at=submitted,
        **fields,
    )


def meeting(kind, area, by, starts, circulated_late, minutes_late):
    made = Meeting.objects.create(
        meeting_type=kind,
        local_area=area,
        organiser_agency=by.agency,
        starts_at=starts,
        created_by=by,
    )
    deadline = made.circulation_deadline + datetime.timedelta(days=circulated_late)
    due = made.minutes_due + datetime.timedelta(days=minutes_late)
    made.circulated_at = local(deadline.year, deadline.month, deadline.day, 16)
    made.minutes_approved_at = local(due.year, due.month, due.day, 16)
    made.save()
    return made


def action(held, by, created, due, closed=None):
    return Action.objects.create(
        meeting=held,
        description="Synthetic action",
        assigned_agency=by.agency,
        due_on=due,
        created_by=by,
        created_at=created,
        closed_at=closed,
        status="completed" if closed else "open",
    )


@pytest.fixture
def data(alice, area):
    children = build(alice)
    # Screenings: one each side of the Q1/Q2 boundary (00:30 BST on 1 July is still
    # 30 June in UTC); a correction and a draft are not new screenings.
    kid = children["c6"]
    screening(kid, alice, local(2026, 6, 30, 23, 30))
    second = screening(kid, alice, local(2026, 7, 1, 0, 30))
    screening(kid, alice, local(2026, 7, 5), supersedes=second)
    screening(kid, alice, None)

    # Interviews: due 1 July (in time), 23 June (late), 4 August (not done).
    rhi = make_child(alice, forename="Testinterview")
    for started, returned, completed in (
        (local(2026, 6, 27), local(2026, 6, 28), local(2026, 6, 29)),
        (local(2026, 6, 19), local(2026, 6, 20), local(2026, 6, 25)),
        (local(2026, 7, 31), local(2026, 8, 1), None),
    ):
        ep = episode(rhi, started)
        ep.returned_at = returned
        ep.save()
        ReturnInterview.objects.create(
            episode=ep,
            child=rhi,
            due_at=rhi_due(returned),
            agency=alice.agency,
            completed_at=completed,
        )

    # Notices and disruption of one person.
    person = make_person(alice, forename="Testperson", surname="Dashby")
    victim = children["c2"]
    cawn(person, victim, area, D(2026, 6, 30), alice)
    first = cawn(person, victim, area, D(2026, 7, 1), alice, local(2026, 7, 2))
    second = cawn(person, victim, area, D(2026, 7, 2), alice)
    from disruption.models import CawnBreach

    for notice, day in (
        (first, D(2026, 7, 5)),
        (first, D(2026, 7, 6)),
        (second, D(2026, 9, 30)),
    ):
        CawnBreach.objects.create(
            cawn=notice,
            occurred_on=day,
            details="Seen together",
            outcome="arrest",
            recorded_by=alice,
        )
    elsewhere = LocalAreaFactory(name="Otherton", slug="otherton")
    cawn(person, victim, elsewhere, D(2026, 7, 1), alice)
    tactic(person, "arrest", "completed", D(2026, 6, 30), alice)
    tactic(person, "charge", "in_place", D(2026, 7, 1), alice)

    # Meetings: Q1 on time; Q2 one on time, one late for both; actions.
    kind = MeetingType.objects.create(
        local_area=area, name="Testshire MASE", slug="mase", forum="mase"
    )
    on_time_q1 = meeting(kind, area, alice, local(2026, 6, 10, 10), 0, 0)
    meeting(kind, area, alice, local(2026, 7, 15, 10), 0, 0)
    meeting(kind, area, alice, local(2026, 8, 12, 10), 1, 1)
    meeting(kind, elsewhere, alice, local(2026, 8, 12, 10), 1, 1)
    action(on_time_q1, alice, local(2026, 5, 1), D(2026, 6, 1), local(2026, 7, 10))
    action(on_time_q1, alice, local(2026, 6, 15), D(2026, 9, 30))
    action(on_time_q1, alice, local(2026, 8, 1), D(2026, 12, 31))
    return children


def values(area, first=(2026, 1), last=(2026, 2), now=None):
    quarters = dashboard.quarters_between(area, first, last)
    return dashboard.compute(area=area, quarters=quarters, now=now)


def test_quarters_between_two_quarters_cross_the_year():
    got = dashboard.quarters_between(None, (2025, 3), (2026, 2))
    assert [q.label for q in got] == [
        "Q3 2025/26",
        "Q4 2025/26",
        "Q1 2026/27",
        "Q2 2026/27",
    ]


def test_victims_by_category(data, area):
    q1, q2 = values(area)["victims"]
    assert q1 == {"total": 3, "1": 2, "2": 1, "3": 0}  # c1, c2, c7
    assert q2 == {"total": 3, "1": 2, "2": 0, "3": 1}  # c2, c4, c7


def test_new_screenings(data, area):
    assert values(area)["screenings"] == [{"count": 1}, {"count": 1}]


def test_missing_episodes_and_frequently_missing_children(data, area):
    got = values(area, last=(2026, 3))
    # Q1: m3 three times, two of the interview child's; Q2: m1 3, m2 2, m5 3, one
    # more of the interview child's; Q3: m2 at 00:30 on 1 October.
    assert got["missing"] == [{"count": 5}, {"count": 9}, {"count": 1}]
    assert got["frequent"] == [{"count": 1}, {"count": 1}, {"count": 0}]


def test_return_interviews_within_72_hours(data, area):
    q1, q2 = values(area)["rhi"]
    assert q1 == {"due": 1, "in_time": 0, "percent": 0.0}
    assert q2 == {"due": 2, "in_time": 1, "percent": 50.0}


def test_cawns_issued_and_breached(data, area):
    assert values(area)["cawns_issued"] == [
        {"issued": 1, "breached": 0},
        {"issued": 2, "breached": 2},
    ]
    # All areas: the Otherton notice too.
    assert values(None)["cawns_issued"][1]["issued"] == 3


def test_disruptions_count_distinct_persons(data, area):
    assert values(area)["disruptions"] == [
        {"disrupted": 1, "prosecuted": 0},
        {"disrupted": 1, "prosecuted": 1},  # a charge and a served notice: one person
    ]


def test_meeting_actions_open_and_overdue_at_quarter_end(data, area):
    assert values(area)["actions"] == [
        {"open": 2, "overdue": 1},
        {"open": 2, "overdue": 1},
    ]


def test_agendas_and_minutes_on_time(data, area):
    q1, q2 = values(area)["agendas"]
    assert (q1["agendas"], q1["agendas_on_time"], q1["agendas_percent"]) == (
        1,
        1,
        100.0,
    )
    assert (q2["agendas"], q2["agendas_on_time"], q2["agendas_percent"]) == (2, 1, 50.0)
    assert (q2["minutes"], q2["minutes_on_time"], q2["minutes_percent"]) == (2, 1, 50.0)


def test_an_unheld_deadline_counts_neither_way(alice, area):
    kind = MeetingType.objects.create(
        local_area=area, name="Testshire MASE", slug="mase", forum="mase"
    )
    Meeting.objects.create(
        meeting_type=kind,
        local_area=area,
        organiser_agency=alice.agency,
        starts_at=local(2026, 11, 20, 10),
        created_by=alice,
    )
    q3 = values(area, (2026, 3), (2026, 3), now=NOW)["agendas"][0]
    # The agenda deadline passed without circulation: late. The minutes are not
    # due until 4 December: not counted yet.
    assert (q3["agendas"], q3["agendas_on_time"]) == (1, 0)
    assert (q3["minutes"], q3["minutes_on_time"]) == (0, 0)


def count_queries(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:dashboard"), params)
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_quarters(data, client, pam):
    client.force_login(pam)
    base = {"area": "testshire", "from_year": 2026, "from_quarter": 2, "to_year": 2026}
    count_queries(client, base | {"to_quarter": 2})  # the area's rules get created
    one = count_queries(client, base | {"to_quarter": 2})
    many = count_queries(
        client, base | {"from_year": 2024, "from_quarter": 3, "to_quarter": 2}
    )
    assert many == one
    # A small constant per measure for each area (the region is the sum of the
    # areas' figures as shown, each area computed once, the chosen one included),
    # and the page's own few.
    areas = LocalArea.objects.count()
    assert one <= areas * 3 * len(dashboard.MEASURES) + 10
    # All areas alone: the same areas, once each.
    alone = count_queries(client, base | {"area": "all", "to_quarter": 2})
    assert abs(one - alone) <= 2


def test_the_manager_sees_every_measure_without_names(data, client, pam):
    client.force_login(pam)
    page = client.get(
        reverse("reports:dashboard"),
        {
            "area": "testshire",
            "from_year": 2026,
            "from_quarter": 1,
            "to_year": 2026,
            "to_quarter": 2,
        },
    )
    html = page.content.decode()
    assert page.status_code == 200
    for measure in dashboard.MEASURES:
        assert measure.title in html
    assert html.count("<svg") == len(dashboard.MEASURES)
    assert "Q2 2026/27" in html
    for name in ("Testone", "Testmissing", "Testinterview", "Testperson", "Dashby"):
        assert name not in html
    event = AuditEvent.objects.filter(user=pam, action="view").latest("pk")
    assert event.detail["report"] == "dashboard"


def test_all_areas_are_marked_rounded_and_their_percentages_come_from_the_shown(
    data, client, pam
):
    client.force_login(pam)
    html = client.get(
        reverse("reports:dashboard"),
        {
            "area": "all",
            "from_year": 2026,
            "from_quarter": 2,
            "to_year": 2026,
            "to_quarter": 2,
        },
    ).content.decode()
    # Every area's figures as shown (Pam's own exact, the others rounded) added up.
    assert disclosure.NOTE in html
    assert "fewer than 5" not in html
    assert "~50.0%" in html  # 1 of 2 interviews, both Testshire's: ~1 of ~2


def test_a_range_the_wrong_way_round_is_an_error(client, pam):
    client.force_login(pam)
    page = client.get(
        reverse("reports:dashboard"),
        {
            "area": "all",
            "from_year": 2026,
            "from_quarter": 3,
            "to_year": 2026,
            "to_quarter": 1,
        },
    )
    assert page.status_code == 200
    assert "The last quarter must not be before the first" in page.content.decode()


@pytest.fixture
def elsewhere_missing(data):
    """A child of Otherton missing three times in Q2: the region's figures differ
    from Testshire's."""
    otherton = LocalArea.objects.get(slug="otherton")
    worker = UserFactory(
        agency=AgencyFactory(name="Otherton Council", local_area=otherton),
        roles=[Role.PRACTITIONER],
    )
    kid = make_child(worker, forename="Testelsewhere")
    for day in (3, 10, 17):
        episode(kid, local(2026, 8, day))
    return kid


def dashboard_page(client, user, area="testshire"):
    client.force_login(user)
    return client.get(
        reverse("reports:dashboard"),
        {
            "area": area,
            "from_year": 2026,
            "from_quarter": 1,
            "to_year": 2026,
            "to_quarter": 2,
        },
    )


def cells(page, slug):
    chart = next(c for c in page.context["charts"] if c["slug"] == slug)
    return [row["cells"] for row in chart["rows"]]


def test_an_area_is_shown_beside_the_region(data, elsewhere_missing, client, pam):
    page = dashboard_page(client, pam)
    assert page.status_code == 200
    # (Testshire, region) per quarter. Pam's own area is shown in full; the
    # region is Testshire's exact figure plus Otherton's rounded (3 episodes in Q2
    # shown as ~5), so the region less Testshire gives only Otherton's ~5.
    assert cells(page, "missing") == [[5, "~5"], [9, "~14"]]
    assert cells(page, "frequent") == [[1, "~1"], [1, "~1"]]
    assert cells(page, "cawns_issued") == [[1, "~1"], [2, "~2"]]
    # A percentage beside the region's, each with its base: the region's share
    # comes from its figures as shown.
    assert cells(page, "rhi")[1] == ["50.0%", "~50.0%", 2, "~2", 1, "~1"]
    # Victims: every category beside the region's (all victims are Testshire's).
    assert cells(page, "victims")[0] == [3, "~3", 2, "~2", 1, "~1", 0, "~0"]


def test_the_pairs_of_bars_share_one_scale(data, elsewhere_missing, client, pam):
    page = dashboard_page(client, pam)
    chart = next(c for c in page.context["charts"] if c["slug"] == "missing")
    q1, q2 = ([bar["width"] for bar in row["bars"]] for row in chart["rows"])
    assert q2 == [CHART_WIDTH * 9 / 14, CHART_WIDTH]
    assert q1 == [CHART_WIDTH * 5 / 14] * 2
    # Bars are drawn from the figures as shown: Otherton's ~0 draws none.
    other = dashboard_page(client, pam, area="otherton")
    chart = next(c for c in other.context["charts"] if c["slug"] == "missing")
    assert [bar["width"] for bar in chart["rows"][0]["bars"]] == [0, q1[1]]
    assert [bar["width"] for bar in chart["rows"][1]["bars"]] == [
        CHART_WIDTH * 5 / 14,
        CHART_WIDTH,
    ]
    html = page.content.decode()
    assert html.count("<svg") == len(dashboard.MEASURES)
    assert html.count('role="img"') == len(dashboard.MEASURES)
    assert "Missing episodes: Testshire beside the region" in html
    assert (
        '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Region</th>'
        in html
    )
    assert "Testelsewhere" not in html
    event = AuditEvent.objects.filter(user=pam, action="view").latest("pk")
    assert event.detail["region"] is True


def test_another_area_is_rounded_beside_the_same_region(
    data, elsewhere_missing, client, pam
):
    page = dashboard_page(client, pam, area="otherton")
    # Otherton: no episodes in Q1, three in Q2; the region as before.
    assert cells(page, "missing") == [["~0", "~5"], ["~5", "~14"]]


def test_all_areas_has_no_region_beside_it(data, client, pam):
    page = dashboard_page(client, pam, area="all")
    html = page.content.decode()
    assert not page.context["with_region"]
    assert ">Region</th>" not in html
    assert cells(page, "missing") == [["~5"], ["~9"]]
