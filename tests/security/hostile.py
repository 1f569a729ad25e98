"""The hostile-input corpus and the checks of what the app gives back: HTML with no
live markup from the data, PDFs that render the text literally, formula-safe CSVs."""

from __future__ import annotations

import csv
import html
import io
import re

from pypdf import PdfReader

from tests.security.crawl import parse

# (name, payload). Each is typed into a field followed by a token naming the field
# and the payload, so an output can say which field's value it shows.
PAYLOADS = (
    ("script", "<script>alert(1)</script>"),
    ("img", '"><img src=x onerror=alert(1)>'),
    ("js-url", "javascript:alert(1)"),
    ("textarea", "</textarea><svg onload=alert(1)>"),
    ("template", "{{7*7}}"),
    ("template-tag", "{% debug %}"),
    ("sql", "' OR 1=1--"),
    ("csv-formula", '=HYPERLINK("http://example.invalid","x")'),
    ("attr", "' onmouseover='alert(1)"),
)
# Sent two at a time (halving the rounds): the first of each pair starts the value, as
# a formula or a javascript: URL must to do harm. The last is sent alone.
PAIRS = ((2, 0), (7, 1), (4, 3), (5, 6), (8,))
# Input that must be refused with a form error, never a server error. The long value
# is over every free-text limit (settings.FREE_TEXT_MAX_LENGTH, and the longer
# LONG_FREE_TEXT_MAX_LENGTH of meeting notes and intelligence reports). A
# right-to-left override would show "Test\u202etxt.exe" as "Testexe.txt".
NUL = ("nul", "Test\x00value")
LONG = ("long", "A" * 25_000)
RTL = ("rtl", "Test\u202etxt.exe")

TOKEN = re.compile(r"Qz(\d+)f(\d+)p(\d+)q")


def token(form: int, field: int, payload: int) -> str:
    return f"Qz{form}f{field}p{payload}q"


# The security-key pages' message catalogue: same-origin, served by the app.
OWN_SCRIPT_URL = "/account/webauthn/jsi18n/"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def unsafe_markup(body: str) -> list[str]:
    """What in an HTML page could run: event-handler attributes, javascript: URLs,
    inline or foreign scripts, embedded objects, and raw payload markup."""
    problems = []
    page = parse(body)
    for tag, attrs in page.elements:
        for name, value in attrs:
            if name.lower().startswith("on"):
                problems.append(f"<{tag} {name}=...>")
            url_attribute = name.lower() in {"href", "src", "action", "formaction"}
            scheme = (value or "").strip().lower()
            if url_attribute and scheme.startswith(
                ("javascript:", "vbscript:", "data:text/html")
            ):
                problems.append(f"<{tag} {name}={value!r}>")
        if tag in {"iframe", "object", "embed", "base"}:
            problems.append(f"<{tag}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            problems.append("<img src=x>")
    for script in page.scripts:
        if script["type"] == "application/json" and not script["src"]:
            # A data block (json_script): never run; its markup characters escaped.
            if "<" in script["body"] or ">" in script["body"]:
                problems.append("unescaped markup in a data block")
            continue
        if script["src"] == OWN_SCRIPT_URL:
            continue
        if not script["src"] or not script["src"].startswith("/static/"):
            problems.append(f"script src={script['src']!r}")
        if script["body"].strip():
            problems.append("inline script")
    for raw in ("<script>alert", "<svg onload", "<img src=x"):
        if raw in body:
            problems.append(f"raw {raw!r}")
    return problems


def tokens_in(text: str) -> set[tuple[int, int, int]]:
    return {tuple(int(g) for g in m.groups()) for m in TOKEN.finditer(text)}


def evaluated_templates(text: str) -> list[str]:
    """A `{{7*7}}` payload that came out as 49, or a `{% debug %}` that ran."""
    found = [m.group(0) for m in re.finditer(r"(?<!\{)49" + TOKEN.pattern, text)]
    if "sys.modules" in text or "{'csrf_token'" in text:
        found.append("debug tag output")
    return found


def html_text(body: str) -> str:
    return html.unescape(body)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def unsafe_csv_cells(text: str) -> list[str]:
    return [
        cell
        for row in csv.reader(io.StringIO(text))
        for cell in row
        if cell.startswith(FORMULA_STARTS)
    ]
