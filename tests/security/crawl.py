"""A small, bounded crawler over the test client: GET a start set of URLs, follow every
same-site link and GET form it finds, and hand each response to the caller."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.test import Client

# Never followed: signing out ends the crawl, static files and the admin site are not
# the app's pages.
SKIP_PREFIXES = ("/static/", "/administration/site/", "/logout/")


@dataclass
class Form:
    method: str
    action: str
    fields: list[dict] = field(default_factory=list)  # tag, type, name, value, ...


class PageParser(HTMLParser):
    """Collects the links, forms, scripts and every element's attributes of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[dict] = []
        self._script: dict | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append(
                Form((a.get("method") or "get").lower(), a.get("action") or "")
            )
        elif tag == "script":
            self._script = {"src": a.get("src"), "type": a.get("type"), "body": ""}
            self.scripts.append(self._script)
        elif self.forms and tag in {"input", "button"}:
            self.forms[-1].fields.append(
                {
                    "tag": tag,
                    "type": (
                        a.get("type") or ("submit" if tag == "button" else "text")
                    ).lower(),
                    "name": a.get("name"),
                    "value": a.get("value") or "",
                    "checked": "checked" in a,
                    "inputmode": a.get("inputmode"),
                    "maxlength": a.get("maxlength"),
                    "id": a.get("id"),
                }
            )
        elif self.forms and tag == "select":
            self._select = {
                "tag": "select",
                "type": "select",
                "name": a.get("name"),
                "options": [],
                "value": "",
                "multiple": "multiple" in a,
            }
            self.forms[-1].fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))
            if "selected" in a:
                self._select["value"] = a.get("value", "")
        elif self.forms and tag == "textarea":
            self._textarea = {
                "tag": "textarea",
                "type": "textarea",
                "name": a.get("name"),
                "value": "",
                "maxlength": a.get("maxlength"),
                "id": a.get("id"),
            }
            self.forms[-1].fields.append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._script is not None:
            self._script["body"] += data
        if self._textarea is not None:
            self._textarea["value"] += data


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


def same_site(url: str, base: str) -> str | None:
    """The path (and query) of a same-site URL, or None for another site."""
    absolute = urljoin(f"http://testserver{base}", url)
    parts = urlsplit(absolute)
    if parts.scheme not in {"http", "https"} or parts.netloc != "testserver":
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if path.startswith(SKIP_PREFIXES):
        return None
    return path


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def crawl(
    client: Client,
    start: Iterable[str],
    *,
    limit: int,
    seen_url: Callable[[str, str], None],
    on_response: Callable[[str, object], None] | None = None,
    fill_get_form: Callable[[Form], dict] | None = None,
) -> set[str]:
    """GET the start URLs and then every same-site link, form action and GET form
    result found, up to `limit` requests. `seen_url(where, url)` sees every URL met
    (links, actions, redirects), followed or not."""
    queue = deque(start)
    visited: set[str] = set()
    while queue and len(visited) < limit:
        url = queue.popleft()
        if url in visited:
            continue
        visited.add(url)
        seen_url("requested", url)
        response = client.get(url)
        if on_response:
            on_response(url, response)
        if response.get("Location"):
            seen_url(f"Location from {url}", response["Location"])
            target = same_site(response["Location"], url)
            if target and not target.startswith("/login/"):
                queue.append(target)
        if not is_html(response) or response.status_code != 200:
            continue
        page = parse(response.content.decode())
        for href in page.links:
            seen_url(f"link on {url}", href)
            target = same_site(href, url)
            if target:
                queue.append(target)
        for form in page.forms:
            seen_url(f"form action on {url}", form.action)
            target = same_site(form.action or url, url)
            if not target:
                continue
            if form.method == "get":
                queue.append(target)
                if fill_get_form:
                    data = fill_get_form(form)
                    if data:
                        filled = client.get(target, data)
                        seen_url(
                            f"GET form result on {url}", filled.request["QUERY_STRING"]
                        )
                        if on_response:
                            on_response(target, filled)
            else:
                queue.append(target)  # the page behind a POST form, where it has one
    return visited
