"""The printed child abduction warning notice."""

from __future__ import annotations

from cse.pdf import render_pdf
from disruption.models import Cawn

COPIES = ("Recipient's copy", "Police file copy")


def render_cawn_pdf(cawn: Cawn) -> bytes:
    """Both copies of the notice, each starting on a new A4 page, with the wording
    of its variant (seed 000 Appendix 6A or 6B) and the area's own names and numbers."""
    return render_pdf("disruption/pdf/cawn.html", {"cawn": cawn, "copies": COPIES})
