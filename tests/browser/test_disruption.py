"""An officer issues a child abduction warning notice and downloads it to print."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from disruption.models import Cawn
from tests.disruption.conftest import (  # noqa: F401  (fixtures)
    officer,
    poi,
    share,
    young_child,
)


@pytest.mark.browser
def test_an_officer_issues_a_cawn_and_downloads_its_pdf(
    page,
    sign_in,
    officer,  # noqa: F811
    poi,  # noqa: F811
    young_child,  # noqa: F811
):
    sign_in(page, officer)
    page.goto(f"/disruption/records/{poi.pk}/")
    expect(
        page.get_by_role("heading", level=2, name="Child abduction warning notices")
    ).to_be_visible()
    page.get_by_role("link", name="Issue a child abduction warning notice").click()
    page.get_by_label("Testchild Sampleton").check()
    page.get_by_label("Recipient's address").fill("1 Sample Street, Testtown")
    page.get_by_role("button", name="Prepare notice").click()
    expect(
        page.get_by_role(
            "heading", level=1, name="Child abduction warning notice CAWN-"
        )
    ).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the notice to print (PDF)").click()
    download = info.value
    cawn = Cawn.objects.get()
    assert download.suggested_filename == f"{cawn.reference}.pdf"
    text = " ".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(Path(download.path()).read_bytes())).pages
    )
    assert "Section 2 Child Abduction Act 1984" in " ".join(text.split())
