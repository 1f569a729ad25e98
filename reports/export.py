"""The dataset as flat rows (CSV) and as labelled sections (pages)."""

from __future__ import annotations

from collections.abc import Iterator

from cse.csv_export import SafeWriter

from .dataset import PERIODS

ITEMS = [
    ("i_victims", "(i) CSE victims: children with a CSE category 1-3 in force"),
    ("ii_missing_home", "(ii)(a) Missing from home 3 or more times within one quarter"),
    ("ii_missing_care", "(ii)(b) Missing from care 3 or more times within one quarter"),
    (
        "iii_reduction_percent",
        "(iii) Reduction in frequently missing young people against last year (%)",
    ),
    ("iv_offenders_disrupted", "(iv) Offenders disrupted or prosecuted"),
    ("v_solved_offences", "(v) Solved and resolved rape and serious sexual offences"),
    ("vi_police_operations", "(vi) CSE police operations and investigations"),
    ("vii_child_in_need_plan", "(vii) CSE victims with a child in need plan"),
    ("viii_child_protection_plan", "(viii) CSE victims with a child protection plan"),
    (
        "ix_training_attendance",
        "(ix) Attendance by partner agencies at LSCB CSE training",
    ),
    ("x_pshe_delivery", "(x) Delivery of PSHE"),
]
LABELS = dict(ITEMS)
# Items whose children can be listed for users allowed to see them.
LISTABLE = {
    "i_victims",
    "ii_missing_home",
    "ii_missing_care",
    "iii_reduction_percent",
    "vii_child_in_need_plan",
    "viii_child_protection_plan",
}


def rows(figures: dict) -> Iterator[tuple]:
    """(item, period, measure, value) for every figure; "" for a figure not entered."""
    for key, _label in ITEMS:
        values = figures.get(key, {})
        for period in PERIODS:
            value = values.get(period)
            if key == "i_victims":
                value = value or {}
                yield key, period, "total", value.get("total", "")
                for breakdown, counts in value.items():
                    if breakdown == "total":
                        continue
                    for name, count in counts.items():
                        yield key, period, f"{breakdown}:{name}", count
            elif isinstance(value, dict):
                for measure, number in value.items():
                    yield key, period, measure, "" if number is None else number
            else:
                yield key, period, "count", "" if value is None else value


def write_csv(stream, figures: dict) -> None:
    writer = SafeWriter(stream)
    writer.writerow(["area", figures.get("area"), "year", figures.get("year")])
    writer.writerow(["quarter", figures.get("quarter"), "as_at", figures.get("as_at")])
    writer.writerow(["item", "period", "measure", "value"])
    writer.writerows(rows(figures))


# The wording of each line is Appendix 8's (seed 000 l.501); the definition says how
# this system counts it.
APPENDIX_8 = {
    "i_victims": "Year to Date: Number and profile of CSE victims",
    "ii_missing_home": (
        "YTD: Number of young persons missing from (a) home and (b) care 3 times or "
        "more in a quarter."
    ),
    "ii_missing_care": (
        "YTD: Number of young persons missing from (a) home and (b) care 3 times or "
        "more in a quarter."
    ),
    "iii_reduction_percent": "YTD: Percentage reduction of frequently missing young people",
    "iv_offenders_disrupted": (
        "YTD: Number of offenders disrupted or prosecuted for CSE related offences."
    ),
    "v_solved_offences": (
        "YTD: Solved and resolved rape and serious sexual offences against children "
        "and young people"
    ),
    "vi_police_operations": "YTD: Number of CSE police Operations/investigations.",
    "vii_child_in_need_plan": "YTD: Number of CSE victims with Children in Need Plan.",
    "viii_child_protection_plan": (
        "YTD: Number of CSE victims with Child Protection Plan."
    ),
    "ix_training_attendance": "YTD: Attendance by Partner Agencies at LSCB CSE training",
    "x_pshe_delivery": "YTD: Delivery of PSHE.",
}
DEFINITIONS = {
    "i_victims": (
        "Children and young people with a CSE category of 1, 2 or 3 in force at any time "
        "in the period. A category is in force from the date it was assessed until the "
        "date of the next entry in the child's category history. Broken down by the "
        "category in force at the end of the period (or, if it was lowered to no "
        "concerns, the last category 1 to 3 they had), gender, age at the end of the "
        "period (under 10, 10-13, 14-15, 16-17, 18 and over; estimated age where the "
        "date of birth is not known), ethnicity and whether they are looked after "
        "(current legal status: care order, interim care order or section 20)."
    ),
    "ii_missing_home": (
        "Distinct children recorded as missing (not absent) from home 3 or more times "
        "within one quarter (the area's 'frequently missing' threshold in the missing "
        "rules), in any quarter of the period. An episode belongs to the quarter in "
        "which it started (last seen, or reported when last seen is not known), UK time."
    ),
    "ii_missing_care": ("As (ii)(a), for episodes missing from a care placement."),
    "iii_reduction_percent": (
        "Distinct children frequently missing (from home or care, as in (ii)) in the "
        "same period of the previous reporting year, less those this year, as a "
        "percentage of last year's. Negative means a rise. Not shown when last year "
        "had none."
    ),
    "iv_offenders_disrupted": (
        "Distinct persons of interest owned by the area's agencies on whom a disruption "
        "tactic took effect or a child abduction warning notice was served in the "
        "period (disrupted), and of those with a charge or conviction (prosecuted), "
        "from the disruption records. For all areas, the sum of the areas."
    ),
    "v_solved_offences": "Entered each quarter by the police; the year to date is the sum.",
    "vi_police_operations": (
        "Entered each quarter by the police; the year to date is the sum."
    ),
    "vii_child_in_need_plan": (
        "CSE victims, as in (i), with a child in need plan open at any time in the period."
    ),
    "viii_child_protection_plan": (
        "CSE victims, as in (i), with a child protection plan open at any time in the "
        "period."
    ),
    "ix_training_attendance": (
        "Attendances by partner agencies' staff at LSCB CSE training, entered each "
        "quarter by the partnership's training lead; the year to date is the sum."
    ),
    "x_pshe_delivery": (
        "Schools delivering PSHE on healthy relationships and CSE in the quarter, "
        "entered by education. Not summed over the year (the same school delivers in "
        "several quarters)."
    ),
}
