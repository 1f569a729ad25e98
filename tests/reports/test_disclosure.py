"""The disclosure-control rule (`reports.disclosure`) on every report page and CSV: a
viewer of one area, four areas with small counts (1-4) and zeros. Nothing shown for
another area is exact, and every figure over several areas is the sum of figures
shown elsewhere, so no subtraction of shown figures gives another area's count."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cse.models import Agency, Forum, LocalArea, Referral, Role
from reports import dashboard, disclosure, outcomes
from reports.disclosure import Disclosure, Figure, Share, round5
from tests.factories import AgencyFactory, UserFactory, make_child
from tests.reports.helpers import episode, local

pytestmark = pytest.mark.django_db

D = __import__("datetime").date
OTHERS = ("otherton", "thirdham", "fourthby")
# Missing episodes in Q2 2026 (July-September), MASE referrals in August 2026,
# children compared on outcome measures in 2026, per area.
EPISODES = {"testshire": 4, "otherton": 3, "thirdham": 0, "fourthby": 0}
REFERRALS = {"testshire": 1, "otherton": 2, "thirdham": 4, "fourthby": 0}
COMPARED = {"testshire": 1, "otherton": 2, "thirdham": 1, "fourthby": 0}


# --- the rule itself ----------------------------------------------------------------


def test_counts_round_to_the_nearest_5_with_halves_up():
    assert [round5(n) for n in range(0, 13)] == [0, 0, 0, 5, 5, 5, 5, 5, 10, 10] + [
        10,
        10,
        10,
    ]


def test_the_own_area_is_exact_and_another_rounded():
    rule = Disclosure(own_area_id=1)
    assert rule.figure(4, 1) == Figure(4)
    assert str(rule.figure(4, 1)) == "4"
    assert rule.figure(4, 2) == Figure(5, rounded=True)
    assert str(rule.figure(2, 2)) == "~0"
    assert rule.figure(None, 2) is None
    assert Disclosure(own_area_id=None).figure(7, 1) == Figure(5, rounded=True)


def test_several_areas_add_up_the_figures_as_shown():
    rule = Disclosure(own_area_id=1)
    # Own 4, others 2 and 2: the exact 8 would round to ~10 and give both away.
    combined = rule.combine({1: {"n": 4}, 2: {"n": 2}, 3: {"n": 2}})
    assert combined == {"n": Figure(4, rounded=True)}
    assert str(combined["n"]) == "~4"
    nested = rule.combine({2: {"by": {"a": 3}}, 3: {"by": {"a": 1, "b": 8}}})
    assert nested == {
        "by": {"a": Figure(5, rounded=True), "b": Figure(10, rounded=True)}
    }


def test_percentages_come_from_the_rounded_figures():
    rule = Disclosure(own_area_id=1)
    assert rule.percent(Figure(1), Figure(2)) == Share(50.0)
    rounded = rule.percent(rule.figure(3, 2), rule.figure(6, 2))
    assert rounded == Share(100.0, rounded=True)
    assert str(rounded) == "~100.0%"
    assert rule.percent(rule.figure(1, 2), rule.figure(2, 2)) is None  # base ~0


def test_a_mean_needs_enough_children_outside_the_area():
    rule = Disclosure(own_area_id=1)
    assert rule.mean([1.0, 2.0], []) == 1.5
    assert rule.mean([1.0], [3.0] * 9) is None
    assert rule.mean([1.0], [3.0] * 10) == 2.8


# --- four areas -----------------------------------------------------------------------


@pytest.fixture
def areas(area):
    found = {"testshire": area}
    for slug in OTHERS:
        found[slug] = LocalArea.objects.create(name=slug.title(), slug=slug)
    return found


def worker_in(area):
    return UserFactory(
        agency=AgencyFactory(name=f"{area.name} Council", local_area=area),
        roles=[Role.PRACTITIONER],
    )


@pytest.fixture
def figures(areas, alice):
    for slug, local_area in areas.items():
        worker = alice if slug == "testshire" else worker_in(local_area)
        for index in range(EPISODES[slug]):
            kid = make_child(worker, forename=f"Testmissing{slug}{index}")
            episode(kid, local(2026, 7 + index % 3, 5 + index))
        for index in range(REFERRALS[slug]):
            kid = make_child(worker, forename=f"Testmase{slug}{index}")
            Referral.objects.create(
                subject=kid,
                local_area=local_area,
                forum=Forum.MASE,
                source=Referral.Source.PROFESSIONAL,
                synopsis="Synthetic referral",
                referred_at=local(2026, 8, 3 + index),
            )
        for index in range(COMPARED[slug]):
            kid = make_child(worker, forename=f"Testoutcome{slug}{index}")
            for day, value in ((D(2025, 6, 1), 3), (D(2026, 3, 1), 6 + index)):
                outcomes.record_assessment(
                    by=worker,
                    child=kid,
                    occasion="plan_start" if value == 3 else "review",
                    assessed_on=day,
                    values={"self_esteem": value},
                )
    return areas


def assert_safe(value):
    """Shown for another area or several areas: no exact count."""
    if isinstance(value, Figure | Share):
        assert value.rounded, value
    else:
        assert isinstance(value, str), value


def assert_other_area(value):
    assert_safe(value)
    if isinstance(value, Figure):
        assert value.value % 5 == 0, value


def dashboard_page(client, slug):
    response = client.get(
        reverse("reports:dashboard"),
        {
            "area": slug,
            "from_year": 2026,
            "from_quarter": 2,
            "to_year": 2026,
            "to_quarter": 2,
        },
    )
    assert response.status_code == 200
    return response


def chart_cells(page) -> dict[str, list]:
    """{measure: the cells of the one quarter}; for an area beside the region the
    cells alternate area, region."""
    return {c["slug"]: c["rows"][0]["cells"] for c in page.context["charts"]}


def counts_only(slug: str, cells: list, step: int = 1) -> list:
    """The cells of count columns (not percentages)."""
    measure = next(m for m in dashboard.MEASURES if m.slug == slug)
    keep = [i for i, (key, _h) in enumerate(measure.columns) if "percent" not in key]
    return [cells[i * step] for i in keep]


def test_the_dashboard_region_is_the_sum_of_the_areas_as_shown(figures, client, pam):
    client.force_login(pam)
    own = chart_cells(dashboard_page(client, "testshire"))
    others = {slug: chart_cells(dashboard_page(client, slug)) for slug in OTHERS}
    alone = chart_cells(dashboard_page(client, "all"))
    for measure in dashboard.MEASURES:
        slug = measure.slug
        mine = counts_only(slug, own[slug][0::2])
        region = counts_only(slug, own[slug][1::2])
        for cell in region:
            assert_safe(cell)
        for other in OTHERS:
            for cell in others[other][slug][0::2]:
                assert_other_area(cell)
            # The region beside another area is the same sum.
            assert others[other][slug][1::2] == own[slug][1::2]
        for column, cell in enumerate(region):
            parts = [mine[column]] + [
                counts_only(slug, others[o][slug][0::2])[column] for o in OTHERS
            ]
            assert cell == disclosure.total(parts), (slug, column)
        assert counts_only(slug, alone[slug]) == region
    # The old leak: the region's exact 7 less Testshire's 4 and the exact zeros of
    # Thirdham and Fourthby gave Otherton's 3 ("fewer than 5") away.
    assert own["missing"] == [4, Figure(9, rounded=True)]
    assert others["otherton"]["missing"][0] == Figure(5, rounded=True)
    assert others["thirdham"]["missing"][0] == Figure(0, rounded=True)
    html = dashboard_page(client, "otherton").content.decode()
    assert disclosure.NOTE in html
    assert "fewer than 5" not in html


def test_the_dashboard_query_count_does_not_grow_with_the_records(
    figures, client, pam, alice
):
    client.force_login(pam)
    dashboard_page(client, "all")  # the areas' rules get created

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            dashboard_page(client, "all")
        return len(queries)

    before = count()
    for index in range(6):
        episode(make_child(alice, forename=f"Testmore{index}"), local(2026, 8, 20))
    assert count() == before
    # A small constant per measure for each area, and the page's own few.
    assert before <= 3 * len(dashboard.MEASURES) * len(figures) + 12


def profile_page(client, slug):
    response = client.get(
        reverse("reports:profile"), {"area": slug, "year": 2026, "quarter": 2}
    )
    assert response.status_code == 200
    return response


def profile_figures(page) -> list:
    return [value for s in page.context["sections"] for _label, value in s["figures"]]


def test_the_profile_of_all_areas_is_the_sum_of_the_areas_as_shown(
    figures, client, pam
):
    client.force_login(pam)
    own = profile_figures(profile_page(client, "testshire"))
    others = {slug: profile_figures(profile_page(client, slug)) for slug in OTHERS}
    every = profile_figures(profile_page(client, "all"))
    for other in OTHERS:
        for value in others[other]:
            assert_other_area(value)
    for index, value in enumerate(every):
        assert_safe(value)
        parts = [own[index]] + [others[o][index] for o in OTHERS]
        assert value == disclosure.total(parts)
    labels = [
        label
        for s in profile_page(client, "all").context["sections"]
        for label, _v in s["figures"]
    ]
    episodes = labels.index("Missing episodes started in the quarter")
    assert own[episodes] == 4
    assert others["otherton"][episodes] == Figure(5, rounded=True)
    assert every[episodes] == Figure(9, rounded=True)
    # The CSV of another area: every value rounded, and the note.
    response = client.get(
        reverse("reports:profile_csv"),
        {"area": "otherton", "year": 2026, "quarter": 2},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[2] == ["note", disclosure.NOTE]
    for row in rows[4:]:
        if row[0] == "gaps" and row[1] == "recorded":
            continue
        assert re.fullmatch(r"~\d*[05]", row[3]), row


def mase_page(client, slug, name="reports:mase_report"):
    response = client.get(reverse(name), {"area": slug, "year": 2026, "month": 8})
    assert response.status_code == 200
    return response


def test_the_mase_total_is_the_sum_of_the_areas_as_shown(figures, client, carol):
    client.force_login(carol)
    page = mase_page(client, "all")
    rows = {
        row["area"]: [c["value"] for c in row["cells"]]
        for row in page.context["area_rows"]
    }
    assert rows["Testshire"] == [1, 0, 0, 1, 0]
    for name, values in rows.items():
        if name != "Testshire":
            for value in values:
                assert_other_area(value)
        # All cases: the sum of new, existing and existing out of borough as shown.
        assert values[3] == disclosure.total(values[:3])
    assert rows["Otherton"][0] == Figure(0, rounded=True)
    assert rows["Thirdham"][0] == Figure(5, rounded=True)
    total = page.context["total"]
    for column, value in enumerate(total):
        assert_safe(value)
        assert value == disclosure.total(v[column] for v in rows.values())
    august = next(r for r in page.context["trend"] if r["month"].month == 8)
    assert august["values"] == total
    # Another area's own page shows the same rounded row.
    thirdham = mase_page(client, "thirdham").context["area_rows"][0]["cells"]
    assert [c["value"] for c in thirdham] == rows["Thirdham"]
    # No link to the children behind a figure shown as ~0 (it would tell 0 from 2).
    assert not any(c["follow"] for c in page.context["area_rows"][0]["cells"])
    text = mase_page(client, "all", "reports:mase_report_csv").content.decode()
    lines = list(csv.reader(io.StringIO(text)))
    assert ["note", disclosure.NOTE] in lines
    assert ["Otherton", "~0", "~0", "~0", "~0", "~0"] in lines
    assert ["Thirdham", "~5", "~0", "~0", "~5", "~0"] in lines
    assert ["All areas", "~6", "~0", "~0", "~6", "~0"] in lines


def outcomes_page(client, slug, name="reports:outcomes_report"):
    response = client.get(
        reverse(name),
        {
            "area": slug,
            "start_0": 1,
            "start_1": 1,
            "start_2": 2026,
            "end_0": 31,
            "end_1": 12,
            "end_2": 2026,
        },
    )
    assert response.status_code == 200
    return response


def outcome_figures(page) -> list:
    counts = [
        row[key]
        for row in page.context["rows"]
        for key in ("improved", "same", "worse", "assessed")
    ]
    return [*counts, page.context["total"]]


def test_the_outcomes_of_all_areas_are_the_sum_of_the_areas_as_shown(
    figures, client, carol
):
    client.force_login(carol)
    own = outcome_figures(outcomes_page(client, "testshire"))
    others = {slug: outcome_figures(outcomes_page(client, slug)) for slug in OTHERS}
    page = outcomes_page(client, "all")
    every = outcome_figures(page)
    for other in OTHERS:
        for value in others[other]:
            assert_other_area(value)
    for index, value in enumerate(every):
        assert_safe(value)
        assert value == disclosure.total(
            [own[index]] + [o[index] for o in others.values()]
        )
    assert page.context["total"] == Figure(1 + 0 + 0 + 0, rounded=True)
    esteem = next(
        r
        for r in page.context["rows"]
        if r["label"] == outcomes.BY_KEY["self_esteem"].label
    )
    # 3 children outside the area: too few for a mean.
    assert esteem["mean_change"] == "fewer than 10 children"
    mine = next(
        r
        for r in outcomes_page(client, "testshire").context["rows"]
        if r["label"] == outcomes.BY_KEY["self_esteem"].label
    )
    assert mine["mean_change"] == "+3.00"
    text = outcomes_page(client, "otherton", "reports:outcomes_report_csv")
    lines = list(csv.reader(io.StringIO(text.content.decode())))
    assert lines[2] == ["note", disclosure.NOTE]
    for line in lines[4:]:
        for cell in line[2:6]:
            assert re.fullmatch(r"~\d*[05]", cell), line


def test_own_area_pages_carry_no_rounding_note(figures, client, carol):
    client.force_login(carol)
    for response in (
        outcomes_page(client, "testshire"),
        mase_page(client, "testshire"),
        profile_page(client, "testshire"),
    ):
        assert disclosure.NOTE not in response.content.decode()


def test_a_manager_of_another_area_sees_testshire_rounded(figures, client):
    manager = UserFactory(
        agency=AgencyFactory(
            name="Otherton Partnership",
            kind=Agency.Kind.PARTNERSHIP,
            local_area=figures["otherton"],
        ),
        roles=[Role.PARTNERSHIP_MANAGER],
    )
    client.force_login(manager)
    testshire = chart_cells(dashboard_page(client, "testshire"))
    for values in testshire.values():
        for cell in values[0::2]:
            assert_other_area(cell)
    assert testshire["missing"] == [Figure(5, rounded=True), Figure(8, rounded=True)]
    assert chart_cells(dashboard_page(client, "otherton"))["missing"][0] == 3
    for value in profile_figures(profile_page(client, "testshire")):
        assert_other_area(value)


def test_the_profile_pdf_of_another_area_is_rounded_and_says_so(figures, client, pam):
    from pypdf import PdfReader

    client.force_login(pam)
    response = client.get(
        reverse("reports:profile_pdf"), {"area": "otherton", "year": 2026, "quarter": 2}
    )
    assert response.status_code == 200
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert "rounded to the nearest 5" in " ".join(text.split())
    assert "~5" in text


def test_the_other_pages_queries_do_not_grow_with_the_records(
    figures, client, carol, alice
):
    client.force_login(carol)
    pages = [
        lambda: outcomes_page(client, "all"),
        lambda: mase_page(client, "all"),
        lambda: profile_page(client, "all"),
    ]
    for page in pages:
        page()  # the areas' rules get created

    def counts() -> list[int]:
        found = []
        for page in pages:
            with CaptureQueriesContext(connection) as queries:
                page()
            found.append(len(queries))
        return found

    before = counts()
    for index in range(3):
        kid = make_child(alice, forename=f"Testgrowth{index}")
        episode(kid, local(2026, 8, 10))
        Referral.objects.create(
            subject=kid,
            local_area=figures["testshire"],
            forum=Forum.MASE,
            source=Referral.Source.PROFESSIONAL,
            synopsis="Synthetic referral",
            referred_at=local(2026, 8, 12),
        )
    assert counts() == before


def test_the_children_behind_another_areas_figure_carry_no_count(
    figures, client, carol
):
    client.force_login(carol)
    url = reverse("reports:mase_children", args=["thirdham", 2026, 8, "new"])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["total"] is None and page.context["hidden"] is None
    html = page.content.decode()
    assert "in the figure" not in html
    assert "Only those shared with your agency are listed" in html
    own = client.get(
        reverse("reports:mase_children", args=["testshire", 2026, 8, "new"])
    )
    assert "1 in the figure" in own.content.decode()
