"""Dataset item (iv): persons disrupted counted once across areas, and the list of
persons behind the figure for users allowed to see them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cse.models import AuditEvent, Role
from disruption.services import offenders_disrupted, offenders_disrupted_ids
from reports import dataset, services
from reports.models import Snapshot
from tests.factories import (
    AgencyFactory,
    LocalAreaFactory,
    UserFactory,
    make_child,
    make_person,
)
from tests.reports.helpers import local
from tests.reports.test_profile import cawn, tactic

pytestmark = pytest.mark.django_db

D = datetime.date
Q2 = (D(2026, 7, 1), D(2026, 9, 30))


@pytest.fixture
def other_area(db):
    return LocalAreaFactory(name="Otherton", slug="otherton")


@pytest.fixture
def people(alice, area, other_area):
    olly = UserFactory(
        username="olly",
        agency=AgencyFactory(
            name="Otherton Police", kind="police", local_area=other_area
        ),
        roles=[Role.POLICE_OFFICER],
    )
    child = make_child(alice, forename="Testchild")
    # Testperson Twoareas: arrested by Testshire (their owning agency's area) and
    # served a notice in Otherton, in the same quarter.
    both = make_person(alice, forename="Testperson", surname="Twoareas")
    tactic(both, "arrest", "completed", D(2026, 7, 10), alice)
    cawn(both, child, other_area, D(2026, 8, 1), olly, local(2026, 8, 2))
    # Testperson Otherone: charged in Otherton.
    other = make_person(olly, forename="Testperson", surname="Otherone")
    tactic(other, "charge", "in_place", D(2026, 9, 1), olly)
    # Outside the quarter: not counted.
    tactic(other, "arrest", "completed", D(2026, 10, 1), olly)
    return {"both": both, "other": other}


def test_a_person_disrupted_in_two_areas_counts_in_each(people, area, other_area):
    start, end = Q2
    assert offenders_disrupted(local_area_id=area.pk, start=start, end=end) == {
        "disrupted": 1,
        "prosecuted": 0,
    }
    assert offenders_disrupted(local_area_id=other_area.pk, start=start, end=end) == {
        "disrupted": 2,
        "prosecuted": 1,
    }


def test_all_areas_count_each_person_once(people, area, other_area):
    start, end = Q2
    ids = offenders_disrupted_ids(start=start, end=end)
    assert ids["disrupted"] == {people["both"].pk, people["other"].pk}
    assert ids["prosecuted"] == {people["other"].pk}
    assert (
        offenders_disrupted_ids(
            start=start, end=end, local_area_ids=[area.pk, other_area.pk]
        )
        == ids
    )
    figures = dataset.compute(area=None, year=2026, quarter=2)
    # The sum of the two areas would be 3.
    assert figures["iv_offenders_disrupted"]["quarter"] == {
        "disrupted": 2,
        "prosecuted": 1,
    }


@pytest.fixture
def snapshot(people):
    made = Snapshot.objects.create(
        local_area=None,
        year=2026,
        quarter=2,
        trigger=Snapshot.Trigger.ON_DEMAND,
        as_at=timezone.now(),
    )
    services.run_snapshot(made.pk)
    return made


def test_the_list_shows_only_the_persons_the_user_may_see(
    snapshot, people, client, alice
):
    client.force_login(alice)
    page = client.get(reverse("reports:figure_persons", args=[snapshot.pk, "quarter"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Twoareas" in html  # alice's agency owns the record
    assert "Otherone" not in html  # not shared with alice's agency
    # All areas: no count here (the figure on the dataset page is the sum of the
    # areas' figures as shown; an exact count here would undo their rounding).
    assert "in the figure" not in html
    assert "Only those shared with your agency are listed" in html
    event = AuditEvent.objects.filter(user=alice, action="list").latest("pk")
    assert event.detail == {"subject_ids": [people["both"].pk]}


def test_an_outsider_sees_the_count_but_no_one(snapshot, client, erin):
    client.force_login(erin)
    html = client.get(
        reverse("reports:figure_persons", args=[snapshot.pk, "year_to_date"])
    ).content.decode()
    assert "Testperson" not in html
    assert "No persons you can see" in html


def test_the_snapshot_page_links_to_the_persons(snapshot, client, alice, pam):
    url = reverse("reports:figure_persons", args=[snapshot.pk, "quarter"])
    client.force_login(alice)
    detail = reverse("reports:snapshot_detail", args=[snapshot.pk])
    assert url in client.get(detail).content.decode()
    client.force_login(pam)
    assert url not in client.get(detail).content.decode()
    assert client.get(url).status_code == 403


def test_an_unknown_period_is_404(snapshot, client, alice):
    client.force_login(alice)
    url = reverse("reports:figure_persons", args=[snapshot.pk, "decade"])
    assert client.get(url).status_code == 404
