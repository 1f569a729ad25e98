"""Every dataset item computed on the hand-built data set in helpers.py."""

from __future__ import annotations

import datetime

import pytest

from reports import dataset, services
from reports.models import ManualItem, ReportingYear
from tests.reports.helpers import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(alice):
    return build(alice)


def test_quarters_and_year_to_date_start_in_april_by_default():
    assert dataset.quarter_period(2026, 1) == dataset.Period(
        datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)
    )
    assert dataset.quarter_period(2026, 4) == dataset.Period(
        datetime.date(2027, 1, 1), datetime.date(2027, 3, 31)
    )
    assert dataset.year_to_date(2026, 3) == dataset.Period(
        datetime.date(2026, 4, 1), datetime.date(2026, 12, 31)
    )


def test_an_area_may_start_its_year_in_another_month(area):
    ReportingYear.objects.create(local_area=area, start_month=9)
    assert ReportingYear.start_month_for(area.pk) == 9
    assert dataset.quarter_period(2026, 2, 9).start == datetime.date(2026, 12, 1)


def test_the_quarter_that_ended_before_a_day():
    assert dataset.quarter_ending_before(datetime.date(2026, 10, 1)) == (2026, 2)
    assert dataset.quarter_ending_before(datetime.date(2026, 9, 30)) == (2026, 1)
    assert dataset.quarter_ending_before(datetime.date(2026, 4, 1)) == (2025, 4)
    assert dataset.quarter_ending_before(datetime.date(2027, 1, 1)) == (2026, 3)


def test_victims_are_children_with_a_category_in_force_in_the_period(data, area):
    figures = dataset.compute(area=area, year=2026, quarter=2)
    quarter = figures["i_victims"]["quarter"]
    assert quarter["total"] == 3  # c2, c4, c7
    assert quarter["by_category"] == {"1": 2, "2": 0, "3": 1}
    to_date = figures["i_victims"]["year_to_date"]
    assert to_date["total"] == 4  # c1 (last category 2), c2, c4, c7
    assert to_date["by_category"] == {"1": 2, "2": 1, "3": 1}


def test_the_first_quarter_counts_a_one_day_category(data, area):
    figures = dataset.compute(area=area, year=2026, quarter=1)
    quarter = figures["i_victims"]["quarter"]
    assert quarter["total"] == 3  # c1 (1-9 April), c2 (30 June), c7
    assert quarter["by_category"] == {"1": 2, "2": 1, "3": 0}


def test_the_victims_profile(data, area):
    quarter = dataset.compute(area=area, year=2026, quarter=2)["i_victims"]["quarter"]
    assert quarter["by_gender"] == {"female": 1, "male": 2}
    assert quarter["by_age_band"] == {
        "under 10": 1,  # c4 is 9 on 30 September, 10 the next day
        "10-13": 0,
        "14-15": 2,
        "16-17": 0,
        "18+": 0,
        "not known": 0,
    }
    assert quarter["by_ethnicity"] == {"NOBT": 2, "WBRI": 1}
    assert quarter["by_looked_after"] == {"looked_after": 1, "not_looked_after": 2}


def test_frequently_missing_from_home_and_from_care(data, area):
    figures = dataset.compute(area=area, year=2026, quarter=2)
    assert figures["ii_missing_home"] == {"quarter": 1, "year_to_date": 1}  # m1
    assert figures["ii_missing_care"] == {"quarter": 0, "year_to_date": 1}  # m3


def test_the_reduction_against_the_same_period_last_year(data, area):
    figures = dataset.compute(area=area, year=2026, quarter=2)
    assert figures["iii_reduction_percent"]["quarter"] == {
        "previous_year": 3,
        "this_year": 1,
        "percent": 66.7,
    }
    assert figures["iii_reduction_percent"]["year_to_date"] == {
        "previous_year": 4,
        "this_year": 2,
        "percent": 50.0,
    }


def test_no_reduction_percentage_when_last_year_had_none(area):
    figures = dataset.compute(area=area, year=2026, quarter=2)
    assert figures["iii_reduction_percent"]["quarter"]["percent"] is None


def test_victims_with_child_in_need_and_child_protection_plans(data, area):
    figures = dataset.compute(area=area, year=2026, quarter=2)
    assert figures["vii_child_in_need_plan"] == {"quarter": 0, "year_to_date": 2}
    assert figures["viii_child_protection_plan"] == {"quarter": 1, "year_to_date": 1}


def test_offenders_disrupted_come_from_the_disruption_app(data, area):
    figures = dataset.compute(area=area, year=2026, quarter=2)
    assert figures["iv_offenders_disrupted"]["quarter"] == {
        "disrupted": 0,
        "prosecuted": 0,
    }


def test_entered_figures_newest_entry_wins_and_the_year_sums(area, dave, pam):
    for quarter, value in ((1, 2), (2, 3), (2, 4)):
        services.record_manual_figure(
            by=dave,
            year=2026,
            quarter=quarter,
            item=ManualItem.SOLVED_OFFENCES,
            value=value,
        )
    services.record_manual_figure(
        by=pam, year=2026, quarter=2, item=ManualItem.TRAINING, value=10
    )
    services.record_manual_figure(
        by=pam, year=2026, quarter=2, item=ManualItem.PSHE, value=7
    )
    figures = dataset.compute(area=area, year=2026, quarter=2)
    assert figures["v_solved_offences"] == {"quarter": 4, "year_to_date": 6}
    assert figures["vi_police_operations"] == {"quarter": None, "year_to_date": None}
    assert figures["ix_training_attendance"] == {"quarter": 10, "year_to_date": 10}
    assert figures["x_pshe_delivery"] == {"quarter": 7, "year_to_date": None}


def test_all_areas_together_include_every_area(data, area):
    assert (
        dataset.compute(area=None, year=2026, quarter=2)["i_victims"]
        == dataset.compute(area=area, year=2026, quarter=2)["i_victims"]
    )


def test_another_area_has_none_of_these_children(data, area):
    from cse.models import LocalArea

    other = LocalArea.objects.create(name="Otherton", slug="otherton")
    figures = dataset.compute(area=other, year=2026, quarter=2)
    assert figures["i_victims"]["quarter"]["total"] == 0
    assert figures["ii_missing_home"]["quarter"] == 0


def test_figures_as_at_an_earlier_moment_leave_out_later_entries(data, area, alice):
    from django.utils import timezone

    before = timezone.now()
    from tests.reports.helpers import category

    category(alice, data["c6"], 2, datetime.date(2026, 8, 1))
    then = dataset.compute(area=area, year=2026, quarter=2, as_at=before)
    now = dataset.compute(area=area, year=2026, quarter=2)
    assert then["i_victims"]["quarter"]["total"] == 3
    assert now["i_victims"]["quarter"]["total"] == 4


def test_the_ids_behind_each_figure(data, area):
    result = dataset.compute(area=area, year=2026, quarter=2, with_ids=True)
    ids = result["ids"]["quarter"]
    assert ids["i_victims"] == {data["c2"].pk, data["c4"].pk, data["c7"].pk}
    assert ids["ii_missing_home"] == {data["m1"].pk}
    assert ids["viii_child_protection_plan"] == {data["c2"].pk}
