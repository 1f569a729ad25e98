"""The MASE monthly data snapshot: new, existing and out-of-borough cases with known
answers at month boundaries, the stored monthly snapshot, the page, CSV and the
children behind a figure."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cse.models import Agency, AuditEvent, Child, Forum, LocalArea, Referral, Role
from meetings.models import AgendaItem, Decision, Meeting, MeetingType
from reports import mase_snapshot
from reports.mase_snapshot import Month
from reports.models import MaseSnapshot
from tests.factories import UserFactory, make_child
from tests.reports.helpers import local

pytestmark = pytest.mark.django_db


def meeting_type(area, forum):
    return MeetingType.objects.create(
        local_area=area, name=f"{area.name} {forum}", slug=forum, forum=forum
    )


def meeting(kind, when, bob):
    return Meeting.objects.create(
        meeting_type=kind,
        local_area=kind.local_area,
        organiser_agency=bob.agency,
        starts_at=when,
        created_by=bob,
    )


def on_agenda(meeting, child, bob, discharged=False):
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=AgendaItem.objects.filter(meeting=meeting).count() + 1,
        section=AgendaItem.Section.CHILD,
        subject=child,
        added_by=bob,
    )
    if discharged:
        Decision.objects.create(
            item=item,
            outcome=Decision.Outcome.DISCHARGE,
            rationale="Synthetic: risk reduced",
            decided_by=bob,
        )
    return item


def referral(child, area, when, status=Referral.Status.PENDING):
    return Referral.objects.create(
        subject=child,
        local_area=area,
        forum=Forum.MASE,
        source=Referral.Source.PROFESSIONAL,
        synopsis="Synthetic referral",
        referred_at=when,
        status=status,
    )


@pytest.fixture
def other_area(db):
    return LocalArea.objects.create(name="Otherton", slug="otherton")


@pytest.fixture
def data(alice, bob, area, other_area):
    """Known answers (Testshire):
    January: new k1, k3, k4 (k4 out of borough) -> new 3, of which out of borough 1.
    February: k1 existing, k2 new (referred), k4 existing out of borough.
    March: k2 existing (referred in February), k3 new (discharged in January).
    April: k7 new (a meeting at 00:30 on 1 April, BST: 31 March in UTC).
    Never: k5 (referral declined), k6 (a CMOG meeting only).
    Otherton: k8 new in February."""
    mase = meeting_type(area, "mase")
    cmog = meeting_type(area, "cmog")
    jan = meeting(mase, local(2026, 1, 15, 10), bob)
    feb = meeting(mase, local(2026, 2, 12, 10), bob)
    mar = meeting(mase, local(2026, 3, 12, 10), bob)
    apr = meeting(mase, local(2026, 4, 1, 0, 30), bob)
    cmog_feb = meeting(cmog, local(2026, 2, 20, 10), bob)
    k = {
        name: make_child(alice, forename=f"Testmase{name}", surname="Sampleton")
        for name in ("one", "two", "three", "four", "five", "six", "seven", "eight")
    }
    Child.objects.filter(pk=k["four"].pk).update(
        placement=Child.Placement.PLACED_OUT_OF_AREA
    )
    on_agenda(jan, k["one"], bob)
    on_agenda(feb, k["one"], bob)
    referral(k["two"], area, local(2026, 2, 20))
    on_agenda(mar, k["two"], bob)
    on_agenda(jan, k["three"], bob, discharged=True)
    on_agenda(mar, k["three"], bob)
    on_agenda(jan, k["four"], bob)
    on_agenda(feb, k["four"], bob)
    referral(k["five"], area, local(2026, 2, 3), status=Referral.Status.DECLINED)
    on_agenda(cmog_feb, k["six"], bob)
    on_agenda(apr, k["seven"], bob)
    elsewhere = meeting(meeting_type(other_area, "mase"), local(2026, 2, 5, 10), bob)
    on_agenda(elsewhere, k["eight"], bob)
    return k


def counts(area, year, month):
    chosen = Month(year, month)
    return mase_snapshot.compute(area, [chosen])[chosen.key]


def test_new_existing_and_out_of_borough_by_month(area, data):
    result = mase_snapshot.compute(
        area, [Month(2026, 1), Month(2026, 2), Month(2026, 3), Month(2026, 4)]
    )
    totals = {key: value["total"] for key, value in result.items()}
    assert totals["2026-01"] == {
        "new": 3,
        "existing": 0,
        "existing_out_of_borough": 0,
        "total": 3,
        "new_out_of_borough": 1,
    }
    assert totals["2026-02"] == {
        "new": 1,
        "existing": 1,
        "existing_out_of_borough": 1,
        "total": 3,
        "new_out_of_borough": 0,
    }
    assert totals["2026-03"] == {
        "new": 1,
        "existing": 1,
        "existing_out_of_borough": 0,
        "total": 2,
        "new_out_of_borough": 0,
    }
    assert totals["2026-04"]["new"] == 1
    ids = result["2026-02"]["ids"][area.pk]
    assert ids["new"] == {data["two"].pk}
    assert ids["existing"] == {data["one"].pk}
    assert ids["existing_out_of_borough"] == {data["four"].pk}
    assert ids["new_out_of_borough"] == set()


def test_a_child_of_another_area_is_out_of_borough(area, other_area, data, alice):
    # k8 belongs to Testshire (alice's agency) but is Otherton's MASE case.
    result = counts(other_area, 2026, 2)
    assert result["total"]["new"] == 1
    assert result["total"]["new_out_of_borough"] == 1
    everywhere = counts(None, 2026, 2)
    assert everywhere["total"]["total"] == 4
    assert set(everywhere["areas"]) == {area.pk, other_area.pk}


def test_the_month_is_the_uk_calendar_month(area, data):
    # 00:30 on 1 April (BST) is 23:30 on 31 March in UTC: April, not March.
    assert counts(area, 2026, 3)["ids"][area.pk]["total"] == {
        data["two"].pk,
        data["three"].pk,
    }
    assert counts(area, 2026, 4)["ids"][area.pk]["new"] == {data["seven"].pk}


def test_the_monthly_job_stores_each_month_once_and_never_changes_it(
    area, other_area, data, bob
):
    made = mase_snapshot.store_previous_month(datetime.date(2026, 3, 1))
    assert made == 3  # all areas, Testshire, Otherton
    assert mase_snapshot.store_previous_month(datetime.date(2026, 3, 5)) == 0
    stored = MaseSnapshot.objects.get(local_area=area, year=2026, month=2)
    assert stored.figures["total"]["total"] == 3
    assert stored.figures["rows"][0]["area"] == "Testshire"
    stored.figures = {}
    with pytest.raises(ValidationError):
        stored.save()


def test_the_task_runs_the_job(area, data):
    from reports.tasks import mase_month_snapshots

    assert mase_month_snapshots.delay().get() >= 1
    assert MaseSnapshot.objects.filter(local_area=area).count() == 1


def page_url(area_slug="testshire", year=2026, month=2, name="reports:mase_report"):
    return reverse(name) + f"?area={area_slug}&year={year}&month={month}"


def test_the_page_shows_stored_figures_when_there_are_some(client, carol, data, bob):
    mase_snapshot.store_previous_month(datetime.date(2026, 3, 1))
    # A late addition to February's meeting changes the live figures only.
    late = make_child(bob.agency.users.get(username="alice"), forename="Testlate")
    february = Meeting.objects.get(starts_at=local(2026, 2, 12, 10))
    on_agenda(february, late, bob)
    client.force_login(carol)
    html = client.get(page_url()).content.decode()
    assert "These are the figures stored on" in html
    live = client.get(page_url(month=3)).content.decode()
    assert "Live figures" in live


def test_the_partnership_manager_sees_no_identities(client, pam, data):
    client.force_login(pam)
    for name in ("reports:mase_report", "reports:mase_report_csv"):
        response = client.get(page_url(name=name))
        assert response.status_code == 200
        text = response.content.decode()
        for child in data.values():
            assert child.forename not in text
            assert child.reference not in text
        assert "/reports/mase/testshire/" not in text
    assert client.get(page_url(name="reports:mase_report")).status_code == 200


def test_counts_outside_the_viewers_area_are_rounded_to_5(client, data, other_area):
    agency = Agency.objects.create(
        name="Otherton Partnership",
        slug="otherton-partnership",
        kind=Agency.Kind.PARTNERSHIP,
        local_area=other_area,
    )
    manager = UserFactory(agency=agency, roles=[Role.PARTNERSHIP_MANAGER])
    client.force_login(manager)
    csv = client.get(page_url(name="reports:mase_report_csv")).content.decode()
    # Testshire's 1 new, 1 existing, 1 out of borough: each ~0, and so their sum.
    assert "Testshire,~0,~0,~0,~0,~0" in csv
    assert "rounded to the nearest 5" in csv
    own = client.get(page_url("otherton", name="reports:mase_report_csv")).content
    assert "Otherton,1,0,0,1,1" in own.decode()


def test_the_csv_has_the_month_and_twelve_months_of_trend(client, carol, data):
    client.force_login(carol)
    csv = client.get(page_url(month=3, name="reports:mase_report_csv")).content
    lines = csv.decode().splitlines()
    assert "Testshire,1,1,0,2,0" in lines
    assert "2026-01,no,3,0,0,3,1" in lines
    assert "2025-04,no,0,0,0,0,0" in lines
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_coordinators_list_the_children_behind_a_figure(client, carol, data, area):
    client.force_login(carol)
    html = client.get(page_url()).content.decode()
    url = reverse("reports:mase_children", args=["testshire", 2026, 2, "new"])
    assert url in html
    listed = client.get(url).content.decode()
    assert data["two"].forename in listed
    assert data["one"].forename not in listed
    event = AuditEvent.objects.filter(action=AuditEvent.Action.LIST).latest("at")
    assert event.detail["subject_ids"] == [data["two"].pk]


def test_children_not_shared_are_not_listed(client, data, area):
    from cse.models import Agency as AgencyModel

    other = AgencyModel.objects.create(
        name="Testshire Youth Service", slug="tys", kind="voluntary", local_area=area
    )
    admin = UserFactory(agency=other, roles=[Role.MEETING_ADMINISTRATOR])
    client.force_login(admin)
    url = reverse("reports:mase_children", args=["testshire", 2026, 2, "total"])
    html = client.get(url).content.decode()
    assert "3 of them are not shared with your agency" in html
    assert data["one"].forename not in html


def test_an_unknown_figure_is_404(client, carol, data):
    client.force_login(carol)
    url = reverse("reports:mase_children", args=["testshire", 2026, 2, "bogus"])
    assert client.get(url).status_code == 404


def test_the_page_takes_a_bounded_number_of_queries(
    client,
    carol,
    data,
    alice,
    bob,
    area,
    django_assert_max_num_queries,
    audit_event_queries,
):
    client.force_login(carol)
    # Session, user, roles, areas, the four counting queries, snapshots, the
    # notification count, the coordinator's pending break-glass reviews, the
    # second-factor device and the audit event of the visit.
    with django_assert_max_num_queries(20 + audit_event_queries):
        client.get(page_url())
    february = Meeting.objects.get(starts_at=local(2026, 2, 12, 10))
    for n in range(20):
        on_agenda(february, make_child(alice, forename=f"Testextra{n}"), bob)
    with django_assert_max_num_queries(20 + audit_event_queries):
        assert client.get(page_url()).status_code == 200
