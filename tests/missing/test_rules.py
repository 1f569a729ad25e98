import datetime

from missing.models import MissingRules, rhi_due
from missing.rules import Span, as_of_moment, rules_met, within_days, within_months
from tests.missing.helpers import at

RULES = MissingRules()


def test_three_starts_30_days_apart_meet_the_30_day_rule():
    starts = [at(2020, 1, 1, 12), at(2020, 1, 15, 12), at(2020, 1, 31, 12)]
    assert within_days(starts, 3, 30) == at(2020, 1, 31, 12)


def test_29_days_apart_meets_and_31_days_apart_does_not():
    first = at(2020, 3, 1, 9)
    met = [
        first,
        first + datetime.timedelta(days=10),
        first + datetime.timedelta(days=29),
    ]
    missed = [
        first,
        first + datetime.timedelta(days=10),
        first + datetime.timedelta(days=31),
    ]
    assert within_days(met, 3, 30) == met[-1]
    assert within_days(missed, 3, 30) is None


def test_12_months_are_calendar_months():
    starts = [at(2020, 2, 1, 10), at(2020, 6, 1, 10), at(2021, 2, 1, 10)]
    assert within_months(starts, 3, 12) == at(2021, 2, 1, 10)
    late = [at(2020, 2, 1, 10), at(2020, 6, 1, 10), at(2021, 2, 2, 10)]
    assert within_months(late, 3, 12) is None


def test_an_episode_of_71_hours_59_does_not_meet_the_72_hour_rule():
    start = at(2020, 5, 1, 8)
    short = [Span(start, start + datetime.timedelta(hours=71, minutes=59))]
    long = [Span(start, start + datetime.timedelta(hours=72))]
    as_of = at(2020, 6, 1)
    assert "one_over_72_hours" not in rules_met(short, RULES, as_of)
    assert rules_met(long, RULES, as_of)[
        "one_over_72_hours"
    ] == start + datetime.timedelta(hours=72)


def test_an_ongoing_episode_counts_once_72_hours_have_passed():
    start = at(2020, 5, 1, 8)
    spans = [Span(start, None)]
    assert "one_over_72_hours" not in rules_met(
        spans, RULES, start + datetime.timedelta(hours=71)
    )
    assert "one_over_72_hours" in rules_met(
        spans, RULES, start + datetime.timedelta(hours=72)
    )


def test_first_met_at_is_the_earliest_completing_start():
    starts = [at(2020, 1, 1), at(2020, 1, 2), at(2020, 1, 3), at(2020, 1, 4)]
    met = rules_met(
        [Span(s, s + datetime.timedelta(hours=1)) for s in starts],
        RULES,
        at(2020, 2, 1),
    )
    assert met["three_in_30_days"] == at(2020, 1, 3)
    assert met["recidivist"] == at(2020, 1, 4)
    assert met["mase_three_in_3_months"] == at(2020, 1, 3)


def test_the_interview_is_due_72_elapsed_hours_after_a_return_before_the_clocks_go_back():
    # Saturday 24 October 2020, 10:00 BST; clocks went back on Sunday 25 October.
    from cse.dates import LONDON

    returned = datetime.datetime(2020, 10, 24, 10, 0, tzinfo=LONDON)
    due = rhi_due(returned)
    assert due == at(2020, 10, 27, 9, 0)
    assert due.astimezone(LONDON).strftime("%A %H:%M %Z") == "Tuesday 09:00 GMT"


def test_as_at_a_date_means_the_end_of_that_day_in_london():
    assert as_of_moment(datetime.date(2020, 7, 1)) == at(2020, 7, 1, 23)
