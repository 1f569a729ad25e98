"""The one way the product makes PDFs.

WeasyPrint renders a template that extends `pdf/base.html` (its own small print
stylesheet, running OFFICIAL-SENSITIVE marking and page numbers in the margins).
Resources may come only from the app's own static files: any other URL, `file:` path
or remote address is refused, so a template (or text a user typed into one) cannot
make the renderer read local files or call out to the network.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from cse.hidden_characters import show_hidden

STATIC_BASE = "https://static.invalid/"  # a base URL no network can answer


class StaticOnlyFetcher(URLFetcher):
    """Serves `static.invalid` URLs (the base for relative links) from the app's own
    static files, and `data:` URLs; refuses everything else."""

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parsed = urlparse(url)
        if parsed.scheme == "https" and parsed.netloc == "static.invalid":
            relative = parsed.path.removeprefix("/").removeprefix(
                settings.STATIC_URL.strip("/") + "/"
            )
            found = finders.find(relative) if ".." not in relative else None
            if found:
                return URLFetcherResponse(url, body=Path(found).read_bytes())
        raise ValueError(f"Resource refused in PDF: {url[:80]}")


def render_pdf(template: str, context: dict) -> bytes:
    """Render a PDF template (extending pdf/base.html) to bytes."""
    # Text stored before hidden characters were refused shows them as markers.
    html = show_hidden(render_to_string(template, context))
    return HTML(
        string=html, base_url=STATIC_BASE, url_fetcher=StaticOnlyFetcher()
    ).write_pdf()
