"""Files the app hands to the browser to save: one place sets the type and the
attachment name (names carry references and dates, never personal data)."""

from __future__ import annotations

from django.http import HttpResponse


def attachment(content: bytes | str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_attachment(filename: str, content: str = "") -> HttpResponse:
    """A CSV download; write rows into the response (it is file-like) or pass them."""
    return attachment(content, filename, "text/csv; charset=utf-8")


def pdf_attachment(content: bytes, filename: str) -> HttpResponse:
    return attachment(content, filename, "application/pdf")
