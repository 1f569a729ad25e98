"""The printable screening: marked, with the answers, downloaded only through the
audited, permission-checked view."""

from __future__ import annotations

import io

from django.urls import reverse
from pypdf import PdfReader

from cse.models import AuditEvent


def test_the_pdf_has_the_marking_category_and_indicators(client, alice, submitted):
    client.force_login(alice)
    response = client.get(reverse("screening:pdf", args=[submitted.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "OFFICIAL-SENSITIVE" in text
    assert "Category 2 – significant risk of harm" in text
    assert "Repeat periods of absence" in text
    assert "Seen with older males" in text
    assert f"Page 1 of {len(reader.pages)}" in text
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.PRINT, object_id=str(submitted.pk)
        ).count()
        == 1
    )


def test_a_draft_has_no_pdf(client, alice, draft):
    client.force_login(alice)
    assert client.get(reverse("screening:pdf", args=[draft.pk])).status_code == 404


def test_an_outsider_gets_not_found(client, erin, submitted):
    client.force_login(erin)
    assert client.get(reverse("screening:pdf", args=[submitted.pk])).status_code == 404
