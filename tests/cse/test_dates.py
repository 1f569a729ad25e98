import datetime

import pytest

from cse.dates import add_months, age_on

D = datetime.date


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (D(2010, 6, 15), D(2026, 6, 14), 15),
        (D(2010, 6, 15), D(2026, 6, 15), 16),
        (
            D(2008, 2, 29),
            D(2026, 2, 28),
            17,
        ),  # no 29 February in 2026: birthday is 1 March
        (D(2008, 2, 29), D(2026, 3, 1), 18),
        (D(2008, 2, 29), D(2028, 2, 29), 20),
        (D(2008, 2, 29), D(2028, 2, 28), 19),
    ],
)
def test_it_counts_whole_years_as_english_law_does(born, day, age):
    assert age_on(born, day) == age


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2027, 11, 30), 3, D(2028, 2, 29)),
        (D(2026, 5, 15), 12, D(2027, 5, 15)),
    ],
)
def test_it_adds_calendar_months_clamped_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected
