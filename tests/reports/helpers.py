"""A hand-built data set for the quarterly dataset, with known answers (see each
child's comment). Reporting year 2026 starts 1 April 2026; Q2 is July-September."""

from __future__ import annotations

import datetime

from cse import services
from cse.dates import LONDON
from cse.models import CategoryAssessment, Child, ChildPlan
from missing.models import MissingEpisode
from tests.factories import make_child

D = datetime.date


def category(by, child, value, day):
    services.record_category(
        by=by,
        child=child,
        category=value,
        assessed_on=day,
        source=CategoryAssessment.Source.PROFESSIONAL,
        rationale="Synthetic test entry",
    )


def episode(child, when: datetime.datetime, source="home", kind="missing"):
    return MissingEpisode.objects.create(
        child=child,
        category=kind,
        missing_from=source,
        reported_at=when,
        started_at=when,
        owner_agency=child.owner_agency,
    )


def local(y, m, d, hour=12, minute=0):
    return datetime.datetime(y, m, d, hour, minute, tzinfo=LONDON)


def plan(child, kind, start, end=None):
    ChildPlan.objects.create(child=child, kind=kind, start_date=start, end_date=end)


def build(alice) -> dict[str, Child]:
    c = {}
    # c1: category 2 from 15 March, lowered to 0 on 10 April: a Q1 victim only
    # (1-9 April); year to date at Q2 with "the last category they had", 2.
    c["c1"] = make_child(alice, forename="Testone", gender="female")
    category(alice, c["c1"], 2, D(2026, 3, 15))
    category(alice, c["c1"], 0, D(2026, 4, 10))
    plan(c["c1"], ChildPlan.Kind.CHILD_IN_NEED, D(2026, 1, 1), D(2026, 4, 5))
    # c2: category 1 on 30 June, 3 on 1 July: Q1 (one day) and Q2 with category 3.
    c["c2"] = make_child(alice, forename="Testtwo", gender="female", ethnicity="WBRI")
    category(alice, c["c2"], 1, D(2026, 6, 30))
    category(alice, c["c2"], 3, D(2026, 7, 1))
    plan(c["c2"], ChildPlan.Kind.CHILD_PROTECTION, D(2026, 8, 1))
    # c3: category 3 only from 1 October (Q3): never in Q2 or the year to date.
    c["c3"] = make_child(alice, forename="Testthree")
    category(alice, c["c3"], 3, D(2026, 10, 1))
    plan(c["c3"], ChildPlan.Kind.CHILD_IN_NEED, D(2026, 5, 1))
    # c4: category 1 on the last day of Q2, aged 9 on that day (10 the next), in care.
    c["c4"] = make_child(
        alice,
        forename="Testfour",
        gender="male",
        date_of_birth=D(2016, 10, 1),
        legal_status=Child.LegalStatus.CARE_ORDER,
    )
    category(alice, c["c4"], 1, D(2026, 9, 30))
    # c5: category 2 and 0 on the same day, 0 recorded later: never in force.
    c["c5"] = make_child(alice, forename="Testfive")
    category(alice, c["c5"], 2, D(2026, 5, 1))
    category(alice, c["c5"], 0, D(2026, 5, 1))
    # c6: no concerns.
    c["c6"] = make_child(alice, forename="Testsix")
    category(alice, c["c6"], 0, D(2026, 5, 1))
    # c7: category 1 since last year, still in force; a CIN plan ending 30 June.
    c["c7"] = make_child(alice, forename="Testseven", gender="male")
    category(alice, c["c7"], 1, D(2025, 5, 1))
    plan(c["c7"], ChildPlan.Kind.CHILD_IN_NEED, D(2026, 2, 1), D(2026, 6, 30))

    # Missing. m1: 3 from home in Q2, the last at 23:30 on 30 September (BST).
    c["m1"] = make_child(alice, forename="Testmissingone")
    for when in (local(2026, 7, 5), local(2026, 8, 5), local(2026, 9, 30, 23, 30)):
        episode(c["m1"], when)
    # m2: 2 from home in Q2 and one at 00:30 on 1 October (BST; still 30 September
    # in UTC): Q3 locally, so not frequently missing in Q2.
    c["m2"] = make_child(alice, forename="Testmissingtwo")
    for when in (local(2026, 7, 1), local(2026, 7, 2), local(2026, 10, 1, 0, 30)):
        episode(c["m2"], when)
    # m3: 3 from care in Q1 (year to date only).
    c["m3"] = make_child(alice, forename="Testmissingthree")
    for when in (local(2026, 4, 1, 0, 30), local(2026, 5, 1), local(2026, 6, 30)):
        episode(c["m3"], when, source="care")
    # m4: 3 absences from home in Q2: absences never count.
    c["m4"] = make_child(alice, forename="Testmissingfour")
    for when in (local(2026, 7, 1), local(2026, 7, 2), local(2026, 7, 3)):
        episode(c["m4"], when, kind="absent")
    # m5: 2 from home and 1 from care in Q2: neither.
    c["m5"] = make_child(alice, forename="Testmissingfive")
    episode(c["m5"], local(2026, 7, 1))
    episode(c["m5"], local(2026, 7, 2))
    episode(c["m5"], local(2026, 7, 3), source="care")
    # Last year: m1, m2, m3 3 times from home in Q2 2025; m4 3 times from care in Q1
    # 2025. Q2 last year: 3 frequently missing; year to date: 4.
    for key in ("m1", "m2", "m3"):
        for when in (local(2025, 7, 1), local(2025, 8, 1), local(2025, 9, 1)):
            episode(c[key], when)
    for when in (local(2025, 4, 2), local(2025, 5, 2), local(2025, 6, 2)):
        episode(c["m4"], when, source="care")
    # A quarter boundary a year back: 3 from home on 30 June and 1 July 2025 spans
    # Q1/Q2 and counts in neither.
    c["m6"] = make_child(alice, forename="Testmissingsix")
    for when in (local(2025, 6, 30), local(2025, 6, 30, 13), local(2025, 7, 1)):
        episode(c["m6"], when)
    return c
