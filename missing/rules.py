"""The missing-pattern rules, as pure functions over a child's missing episodes.

Definitions (issue 4, from seed 000 appendix 7, seed 001 ch. 11 and seed 004):
* only missing episodes count, never absences;
* an episode starts when the child was last seen (or was reported, where last seen
  is unknown): `MissingEpisode.started_at`;
* "N episodes within D days / M months": the first and the last of N consecutive
  episodes start no more than D days (elapsed) / M calendar months apart;
* `first_met_at` is the start of the episode that completed the pattern (for the
  duration rule, its start plus the hours), the earliest such moment.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cse.dates import LONDON, add_months, local_day_end

from .models import MissingRules, PatternRule


@dataclass(frozen=True)
class Span:
    started_at: datetime.datetime
    returned_at: datetime.datetime | None


def _add_months_local(moment: datetime.datetime, months: int) -> datetime.datetime:
    local = moment.astimezone(LONDON)
    day = add_months(local.date(), months)
    return datetime.datetime.combine(day, local.time(), tzinfo=LONDON)


def within_days(starts: Sequence[datetime.datetime], count: int, days: int):
    """The earliest start completing `count` starts within `days` days, or None."""
    if count < 1:
        return None
    limit = datetime.timedelta(days=days)
    for last in range(count - 1, len(starts)):
        if starts[last] - starts[last - count + 1] <= limit:
            return starts[last]
    return None


def within_months(starts: Sequence[datetime.datetime], count: int, months: int):
    """The earliest start completing `count` starts within `months` calendar months."""
    if count < 1:
        return None
    for last in range(count - 1, len(starts)):
        if starts[last] <= _add_months_local(starts[last - count + 1], months):
            return starts[last]
    return None


def lasting(spans: Iterable[Span], hours: int, as_of: datetime.datetime):
    """The earliest moment an episode reached `hours` long, by `as_of` (an ongoing
    episode counts once the hours have passed)."""
    length = datetime.timedelta(hours=hours)
    met = [
        span.started_at + length
        for span in spans
        if min(span.returned_at or as_of, as_of) - span.started_at >= length
    ]
    return min(met, default=None)


def window_start(as_of: datetime.datetime) -> datetime.datetime:
    """Episodes that started in the 12 calendar months up to `as_of` count."""
    return _add_months_local(as_of, -12)


def as_of_moment(day: datetime.date) -> datetime.datetime:
    """The end of `day` in Europe/London: what a listing "as at day" means."""
    return local_day_end(day)


def rules_met(
    spans: Sequence[Span], rules: MissingRules, as_of: datetime.datetime
) -> dict[str, datetime.datetime]:
    """{rule: first_met_at} for every rule the missing episodes in `spans` meet by
    `as_of`. `spans` are missing episodes only, sorted by start, already limited to
    the window (see `window_start`)."""
    spans = [s for s in spans if s.started_at <= as_of]
    starts = [s.started_at for s in spans]
    found = {
        PatternRule.THREE_IN_30_DAYS: within_days(
            starts, rules.cmog_short_count, rules.cmog_short_days
        ),
        PatternRule.THREE_IN_12_MONTHS: within_months(
            starts, rules.cmog_long_count, rules.cmog_long_months
        ),
        PatternRule.ONE_OVER_72_HOURS: lasting(spans, rules.cmog_duration_hours, as_of),
        PatternRule.MASE_THREE_IN_3_MONTHS: within_months(
            starts, rules.mase_count, rules.mase_months
        ),
        PatternRule.RECIDIVIST: within_months(
            starts, rules.recidivist_count, rules.recidivist_months
        ),
    }
    return {str(rule): met for rule, met in found.items() if met is not None}


def frequently_missing(
    starts: Sequence[datetime.datetime], rules: MissingRules
) -> bool:
    """The quarterly dataset's "frequently missing": enough episodes in the quarter
    (the caller passes the starts within one quarter)."""
    return len(starts) >= rules.frequent_count
