"""The shared PDF renderer: marked, paginated, and unable to fetch outside resources."""

import io

from django.template import engines
from pypdf import PdfReader

from cse import pdf


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def render_string(body: str) -> bytes:
    template = engines["django"].from_string(
        '{% extends "pdf/base.html" %}{% block content %}' + body + "{% endblock %}"
    )
    html = template.render({})
    return pdf.HTML(
        string=html, base_url=pdf.STATIC_BASE, url_fetcher=pdf.StaticOnlyFetcher()
    ).write_pdf()


def test_every_page_is_marked_and_numbered():
    data = render_string("<h1>Test document</h1>" + "<p>Line</p>" * 200)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 1
    first = reader.pages[0].extract_text()
    assert "OFFICIAL-SENSITIVE" in first and f"Page 1 of {len(reader.pages)}" in first


def test_local_files_and_remote_urls_are_not_fetched():
    fetcher = pdf.StaticOnlyFetcher()
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.css",
        "https://static.invalid/static/../../etc/passwd",
    ):
        try:
            fetcher.fetch(url)
        except ValueError:
            continue
        raise AssertionError(f"{url} was fetched")
    data = render_string(
        '<img src="file:///etc/passwd"><iframe src="file:///etc/passwd"></iframe><p>root</p>'
    )
    assert "root:x:0:0" not in text_of(data)


def test_the_apps_own_static_files_are_served():
    response = pdf.StaticOnlyFetcher().fetch(
        "https://static.invalid/static/images/favicon.svg"
    )
    assert response.read().startswith(b"<")
