"""Calendar arithmetic the statutory rules depend on.

Ages and month offsets follow English usage; elapsed-time deadlines are computed in
UTC so that a clock change cannot move them by an hour.
"""

from __future__ import annotations

import calendar
import datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Age in whole years on `day`.

    A person attains an age at the start of the anniversary of their birth (Family
    Law Reform Act 1969 s.9); someone born on 29 February is treated as attaining it
    on 1 March in a year that has no 29 February.
    """
    years = day.year - born.year
    if (day.month, day.day) < _birthday_in(born, day.year):
        years -= 1
    return years


def _birthday_in(born: datetime.date, year: int) -> tuple[int, int]:
    if born.month == 2 and born.day == 29 and not calendar.isleap(year):
        return (3, 1)
    return (born.month, born.day)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last_day))


def local_day_end(day: datetime.date) -> datetime.datetime:
    """The first instant after `day` ends in Europe/London, as an aware datetime."""
    next_day = day + datetime.timedelta(days=1)
    return datetime.datetime.combine(next_day, datetime.time.min, tzinfo=LONDON)


# --- working days (meetings) -------------------------------------------------------------
# England and Wales bank holidays from the govuk-bank-holidays package's bundled data:
# no network call at run time (the bundle is refreshed by upgrading the package).


def _bank_holidays() -> frozenset[datetime.date]:
    global _BANK_HOLIDAYS
    if _BANK_HOLIDAYS is None:
        from govuk_bank_holidays.bank_holidays import BankHolidays

        holidays = BankHolidays(use_cached_holidays=True)
        _BANK_HOLIDAYS = frozenset(
            h["date"]
            for h in holidays.get_holidays(division=BankHolidays.ENGLAND_AND_WALES)
        )
    return _BANK_HOLIDAYS


_BANK_HOLIDAYS: frozenset[datetime.date] | None = None


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday, except England and Wales bank holidays."""
    return day.weekday() < 5 and day not in _bank_holidays()


def add_working_days(day: datetime.date, days: int) -> datetime.date:
    """The working day `days` working days after `day` (before it, if negative).

    `day` itself is not counted, so the result is always a working day.
    """
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    while remaining:
        day += datetime.timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (negative if end < start)."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
