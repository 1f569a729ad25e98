import datetime

from cse.dates import add_working_days, is_working_day, working_days_between

D = datetime.date


def test_weekends_and_bank_holidays_are_not_working_days():
    assert not is_working_day(D(2025, 12, 25))  # Christmas Day
    assert not is_working_day(D(2025, 12, 26))  # Boxing Day
    assert not is_working_day(D(2025, 12, 27))  # Saturday
    assert not is_working_day(D(2025, 8, 25))  # Summer bank holiday (England)
    assert is_working_day(D(2025, 12, 24))


def test_scottish_only_holidays_are_working_days_in_england():
    assert is_working_day(D(2025, 8, 4))  # Scotland's summer bank holiday
    assert is_working_day(D(2025, 12, 1))  # St Andrew's Day (substitute), Scotland


def test_seven_working_days_before_a_meeting_skip_christmas():
    # Friday 2 January 2026: back over New Year's Day, Boxing Day, Christmas Day
    # and the weekends.
    assert add_working_days(D(2026, 1, 2), -7) == D(2025, 12, 19)


def test_ten_working_days_after_a_meeting_skip_easter():
    # Thursday 2 April 2026; Good Friday 3 April and Easter Monday 6 April.
    assert add_working_days(D(2026, 4, 2), 10) == D(2026, 4, 20)


def test_zero_working_days_is_the_same_day():
    assert add_working_days(D(2026, 3, 4), 0) == D(2026, 3, 4)


def test_working_days_between_counts_only_working_days():
    assert working_days_between(D(2025, 12, 24), D(2025, 12, 29)) == 1
    assert working_days_between(D(2025, 12, 29), D(2025, 12, 24)) == -1
