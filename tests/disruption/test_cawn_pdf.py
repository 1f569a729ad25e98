import io

from pypdf import PdfReader

from cse.models import Child
from disruption.pdf import render_cawn_pdf
from tests.disruption.conftest import issue, years_ago
from tests.factories import make_child


def text_of(cawn) -> str:
    reader = PdfReader(io.BytesIO(render_cawn_pdf(cawn)))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def squash(text: str) -> str:
    return " ".join(text.split())


def test_the_under_16_notice_cites_section_2_with_the_childs_details(cawn):
    text, pages = text_of(cawn)
    flat = squash(text)
    assert "Child Abduction Warning Notice – under 16s" in flat
    assert "Section 2 Child Abduction Act 1984" in flat
    assert "7 years imprisonment" in flat
    assert "Section 49" not in flat
    assert "Testchild Sampleton" in flat
    assert cawn.child_date_of_birth.strftime("%-d %B %Y") in flat
    assert "on behalf of Testmother Sampleton" in flat
    assert "PC 1234 Dave Constable" in flat
    assert "Testshire Central" in flat
    assert "0121 496 0002" in flat
    assert "OFFICIAL-SENSITIVE" in flat
    assert "Recipient's copy" in flat and "Police file copy" in flat
    assert "Reason given if person refuses to sign" in flat
    assert pages >= 2


def test_the_looked_after_notice_for_a_16_year_old_has_no_section_2(
    alice, poi, looked_after_16, area
):
    cawn = issue(alice, poi, looked_after_16)
    flat = squash(text_of(cawn)[0])
    assert "under 18s (looked after)" in flat
    assert "Section 49 Children Act 1989" in flat
    assert "6 months imprisonment" in flat
    assert "Section 2" not in flat and "Child Abduction Act" not in flat
    assert f"on behalf of {area.children_services_department}" in flat
    assert "18 years" in flat


def test_the_looked_after_notice_for_a_15_year_old_cites_both_sections(
    officer, poi, alice
):
    child = make_child(
        alice,
        date_of_birth=years_ago(15),
        legal_status=Child.LegalStatus.POLICE_PROTECTION,
    )
    from tests.disruption.conftest import share

    share(alice, child, officer.agency)
    cawn = issue(officer, poi, child)
    flat = squash(text_of(cawn)[0])
    assert "Section 49 Children Act 1989" in flat
    assert "Section 2 Child Abduction Act 1984" in flat


def test_the_name_known_to_the_suspect_is_printed_instead(officer, poi, young_child):
    cawn = issue(officer, poi, young_child, child_name="Tiggy")
    flat = squash(text_of(cawn)[0])
    assert "Tiggy" in flat and "Testchild Sampleton" not in flat
