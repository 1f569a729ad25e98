"""Which Child Abduction Warning Notice (CAWN), if any, may be issued: the one rule.

Sources (correct the rule here, in one edit, if they change):
  * College of Policing, Authorised Professional Practice, "Child abduction warning
    notices": CAWNs are non-statutory; they may be issued for a child under 16, or
    for a child under 18 who is in the care of a local authority under a care order
    (s.31 Children Act 1989, including an interim order) or who is the subject of
    an emergency protection order or in police protection. A 16 or 17-year-old
    accommodated under s.20 Children Act 1989 is NOT in care in that sense.
  * s.2 Child Abduction Act 1984: taking or detaining a child under 16 from the
    person having lawful control (maximum 7 years' imprisonment).
  * s.49 Children Act 1989: abduction of a child in care, under a care order, an
    emergency protection order or in police protection (maximum 6 months).
  * The regional forms (seed 000 Appendices 6A, under 16s, and 6B, under 18s looked
    after): 6B cites s.2 only while the child is under 16.
Ages are whole years as English law counts them (`cse.dates.age_on`, which attains
an age at the start of the birthday, and on 1 March for a 29 February birthday in a
common year).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models

from cse.dates import age_on
from cse.models import Child


class Variant(models.TextChoices):
    UNDER_16 = "under_16", "Under 16 (section 2 Child Abduction Act 1984)"
    LOOKED_AFTER = "looked_after", "Under 18 in care (section 49 Children Act 1989)"


# "In care" for a CAWN: a care or interim care order (Child.IN_CARE_STATUSES), an
# emergency protection order or police protection (s.49 CA 1989). Not section 20.
CAWN_IN_CARE_STATUSES = frozenset(
    Child.IN_CARE_STATUSES
    | {
        Child.LegalStatus.EMERGENCY_PROTECTION_ORDER,
        Child.LegalStatus.POLICE_PROTECTION,
    }
)


@dataclass(frozen=True)
class CawnDecision:
    variant: str | None  # a Variant, or None when no notice may be issued
    age: int | None
    cites_section_2: bool
    reason: str
    # The day the notice stops applying: the 16th or 18th birthday.
    ends_on: datetime.date | None = None

    @property
    def allowed(self) -> bool:
        return self.variant is not None


def birthday(born: datetime.date, years: int) -> datetime.date:
    """The day a person born on `born` attains `years` (1 March for 29 February)."""
    year = born.year + years
    try:
        return born.replace(year=year)
    except ValueError:  # 29 February in a common year
        return datetime.date(year, 3, 1)


def cawn_variant(
    *, date_of_birth: datetime.date | None, legal_status: str, on: datetime.date
) -> CawnDecision:
    """The notice a child may be given on `on`, or why none may."""
    if date_of_birth is None:
        return CawnDecision(
            None,
            None,
            False,
            "The child's date of birth is not known, so their age on the issue date "
            "cannot be established. Record the date of birth first.",
        )
    age = age_on(date_of_birth, on)
    if age < 0 or on < date_of_birth:
        return CawnDecision(
            None, None, False, "The issue date is before the child's birth."
        )
    in_care = legal_status in CAWN_IN_CARE_STATUSES
    if in_care and age < 18:
        return CawnDecision(
            Variant.LOOKED_AFTER,
            age,
            age < 16,
            "The child is in the care of the local authority and under 18: the "
            "looked-after notice (section 49 Children Act 1989"
            + (
                ", and section 2 Child Abduction Act 1984 while under 16)."
                if age < 16
                else ")."
            ),
            birthday(date_of_birth, 18),
        )
    if age < 16:
        return CawnDecision(
            Variant.UNDER_16,
            age,
            True,
            "The child is under 16: the under-16 notice (section 2 Child Abduction "
            "Act 1984), on behalf of the person with parental responsibility.",
            birthday(date_of_birth, 16),
        )
    if age < 18:
        why = (
            "accommodated under section 20, which is not care for this purpose"
            if legal_status == Child.LegalStatus.SECTION_20
            else "not in the care of the local authority under a care order, an "
            "emergency protection order or police protection"
        )
        return CawnDecision(
            None,
            age,
            False,
            f"The child is {age} and {why}. A notice can be issued for a 16 or "
            "17-year-old only while they are in care in that sense.",
        )
    return CawnDecision(
        None,
        age,
        False,
        f"The young person is {age}: a notice cannot be issued for anyone aged 18 or over.",
    )


def decide_for(child: Child, on: datetime.date) -> CawnDecision:
    return cawn_variant(
        date_of_birth=child.date_of_birth, legal_status=child.legal_status, on=on
    )
