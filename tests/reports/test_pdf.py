"""The board's PDF report: figures, charts with their tables, no identities."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cse.models import AuditEvent
from reports import services
from reports.models import Snapshot
from tests.reports.helpers import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def snapshot(alice, area):
    data = build(alice)
    made = Snapshot.objects.create(
        local_area=area,
        year=2026,
        quarter=2,
        trigger=Snapshot.Trigger.SCHEDULED,
        as_at=timezone.now(),
    )
    services.run_snapshot(made.pk)
    made.data = data
    return made


def text_of(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_board_report_has_the_figures_and_charts(client, pam, snapshot):
    client.force_login(pam)
    response = client.get(reverse("reports:snapshot_pdf", args=[snapshot.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = text_of(response)
    assert "OFFICIAL-SENSITIVE" in text
    assert "Page 1 of" in text
    assert "CSE victims by category, year to date" in text
    assert "66.7%" in text
    assert "(viii) CSE victims with a child protection plan" in text
    for child in snapshot.data.values():
        assert child.forename not in text
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PRINT).exists()


def test_a_run_not_yet_computed_has_no_pdf(client, pam, area):
    pending = Snapshot.objects.create(
        local_area=area,
        year=2026,
        quarter=2,
        trigger=Snapshot.Trigger.ON_DEMAND,
        as_at=timezone.now(),
    )
    client.force_login(pam)
    assert (
        client.get(reverse("reports:snapshot_pdf", args=[pending.pk])).status_code
        == 404
    )


def test_a_rounded_count_is_drawn_as_shown():
    from reports.disclosure import Figure
    from reports.views import _chart

    small, big = (Figure(0, rounded=True), Figure(10, rounded=True))
    chart = _chart("x", "Title", "Label", [("small", small), ("big", big)])
    small, big = chart["rows"]
    assert str(small["value"]) == "~0"
    assert small["width"] == 0
    assert big["width"] == 380


def test_the_page_shows_the_charts_with_their_tables(client, carol, snapshot):
    client.force_login(carol)
    html = client.get(
        reverse("reports:snapshot_detail", args=[snapshot.pk])
    ).content.decode()
    assert "<svg" in html
    assert 'aria-labelledby="chart-category-title"' in html
    assert "style=" not in html.split("<main", 1)[-1]
