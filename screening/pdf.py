"""The printable completed screening."""

from __future__ import annotations

from django.utils import timezone

from cse.pdf import render_pdf

from .models import Screening, display_sections


def render_screening_pdf(screening: Screening, *, persons: dict | None = None) -> bytes:
    """A submitted screening as answered, with its category, rationale and actions."""
    return render_pdf(
        "screening/pdf/screening.html",
        {
            "screening": screening,
            "child": screening.child,
            "definition": screening.definition,
            "sections": display_sections(screening, persons),
            "category": screening.definition.category(screening.category),
            "actions": list(
                screening.actions.select_related("owner_agency", "owner_user")
            ),
            "printed_at": timezone.now(),
        },
    )
