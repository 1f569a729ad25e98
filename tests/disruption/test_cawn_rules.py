"""The CAWN variant rule at each boundary the issue names."""

import datetime

import pytest

from cse.models import Child
from disruption.cawn_rules import Variant, birthday, cawn_variant

LS = Child.LegalStatus
BORN = datetime.date(2008, 6, 15)


def decide(on, status=LS.NOT_LOOKED_AFTER, born=BORN):
    return cawn_variant(date_of_birth=born, legal_status=status, on=on)


def test_the_day_before_the_16th_birthday_gives_the_under_16_notice():
    d = decide(datetime.date(2024, 6, 14))
    assert (d.variant, d.age, d.cites_section_2) == (Variant.UNDER_16, 15, True)
    assert d.ends_on == datetime.date(2024, 6, 15)


def test_on_the_16th_birthday_a_child_not_in_care_gets_no_notice():
    d = decide(datetime.date(2024, 6, 15))
    assert d.variant is None and d.age == 16
    assert "in care" in d.reason


def test_a_16_year_old_under_section_20_gets_no_notice_and_is_told_why():
    d = decide(datetime.date(2024, 6, 15), LS.SECTION_20)
    assert d.variant is None
    assert "section 20" in d.reason


def test_a_15_year_old_under_section_20_gets_the_under_16_notice():
    d = decide(datetime.date(2024, 6, 14), LS.SECTION_20)
    assert d.variant == Variant.UNDER_16


@pytest.mark.parametrize(
    "status",
    [
        LS.CARE_ORDER,
        LS.INTERIM_CARE_ORDER,
        LS.EMERGENCY_PROTECTION_ORDER,
        LS.POLICE_PROTECTION,
    ],
)
def test_a_child_in_care_under_16_gets_the_looked_after_notice_citing_section_2(
    status,
):
    d = decide(datetime.date(2024, 6, 14), status)
    assert (d.variant, d.cites_section_2) == (Variant.LOOKED_AFTER, True)
    assert d.ends_on == datetime.date(2026, 6, 15)


def test_a_looked_after_16_year_old_gets_the_notice_without_section_2():
    d = decide(datetime.date(2024, 6, 15), LS.CARE_ORDER)
    assert (d.variant, d.age, d.cites_section_2) == (Variant.LOOKED_AFTER, 16, False)


def test_the_day_before_the_18th_birthday_a_looked_after_child_still_gets_one():
    d = decide(datetime.date(2026, 6, 14), LS.CARE_ORDER)
    assert (d.variant, d.age) == (Variant.LOOKED_AFTER, 17)


def test_on_the_18th_birthday_no_notice_is_possible():
    d = decide(datetime.date(2026, 6, 15), LS.CARE_ORDER)
    assert d.variant is None and d.age == 18
    assert "18 or over" in d.reason


def test_an_unknown_date_of_birth_gives_no_notice():
    d = cawn_variant(date_of_birth=None, legal_status=LS.CARE_ORDER, on=BORN)
    assert d.variant is None and d.age is None
    assert "date of birth is not known" in d.reason


def test_a_29_february_child_turns_16_on_29_february_of_a_leap_year():
    # 16 is a multiple of four: the 16th birthday of a leapling is itself a 29 February.
    born = datetime.date(2008, 2, 29)
    assert decide(datetime.date(2024, 2, 28), born=born).variant == Variant.UNDER_16
    assert decide(datetime.date(2024, 2, 29), born=born).variant is None


def test_a_29_february_child_in_care_turns_18_on_1_march_of_a_common_year():
    leapling = datetime.date(2004, 2, 29)
    on_28th = decide(datetime.date(2022, 2, 28), LS.CARE_ORDER, leapling)
    assert (on_28th.age, on_28th.variant) == (17, Variant.LOOKED_AFTER)
    assert on_28th.ends_on == datetime.date(2022, 3, 1)
    assert decide(datetime.date(2022, 3, 1), LS.CARE_ORDER, leapling).variant is None


def test_birthday_moves_29_february_to_1_march_only_in_common_years():
    assert birthday(datetime.date(2004, 2, 29), 16) == datetime.date(2020, 2, 29)
    assert birthday(datetime.date(2004, 2, 29), 17) == datetime.date(2021, 3, 1)
