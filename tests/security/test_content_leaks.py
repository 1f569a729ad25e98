"""A marker appears only where its record is visible.

The data set (tests/security/leak_data.py) plants a distinct marker in every free-text
and identifying field of records of every kind, held by one agency and shared with
nobody, and links them to a shared child, refers them to a meeting of another agency,
accepts one as an urgent late addition after circulation, acts on it and renders the
meeting's documents through the Celery task. Then every cast member, signed in with
both factors and freshly stepped up, GETs every named URL of the resolver walk with
the data set's ids (so a view is covered as soon as it is added), follows the links of
each page one level, POSTs a search, and sets off the e-mails. The text of every page,
PDF (pypdf), CSV and e-mail (subject and body, per recipient) is searched for every
marker; each found must be one its reader may see (`Planted.may_see`: the record's
cse.permissions.can_see, or the rule of the meeting, notice, report or held row it
belongs to). Shared records carry markers too, and those must be found by someone
allowed: the test can fail both ways.
"""

from __future__ import annotations

import datetime
import io
import re
import time
from collections import defaultdict

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from cse import permissions, stepup
from tests.security.conftest import all_routes, kwargs_for
from tests.security.crawl import parse, same_site
from tests.security.leak_data import Planted, build, normalise

FOLLOW_PER_USER = 120
# Pages whose only job is to change state or sign out, never followed.
NOT_FOLLOWED = ("/logout/", "/static/", "/administration/site/")
# Routes whose pk names any record (the record-level tabs), not only a child.
ANY_RECORD = ("records/", "disruption/records/", "break-glass/records/")
RECORD_SLOTS = {"child", "subject", "form_record"}
FORM_ENDINGS = ("/new/", "/edit/", "/end/", "/correct/")


@pytest.fixture
def data(
    cast, area, agency_b, agency_c, private_storage, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        return build(cast, area=area, agency_b=agency_b, agency_c=agency_c)


def start_urls(data) -> tuple[list[str], list[str]]:
    """Every named URL with each of the data set's ids it can take."""
    urls: list[str] = []
    unreached: list[str] = []
    for route in all_routes():
        found = False
        # A form names its record like the record's page does: two records suffice.
        if route.route.endswith(FORM_ENDINGS):
            record_slot = "form_record"
        elif route.route.startswith(ANY_RECORD):
            record_slot = "subject"
        else:
            record_slot = "child"
        slots = [("child", record_slot)]
        slots += [(key, key) for key in data.variants if key not in RECORD_SLOTS]
        overrides = [
            {key: value} for key, variant in slots for value in data.variants[variant]
        ] + data.meeting_variants
        for override in overrides:
            try:
                kwargs = kwargs_for(route, {**data.ids, **override})
            except KeyError:  # an id this data set does not make
                kwargs = None
            if kwargs is None:
                continue
            url = reverse(route.name, kwargs=kwargs)
            found = True
            if url not in urls:
                urls.append(url)
        if not found:
            unreached.append(route.name)
    return urls, unreached


def text_of(response) -> str:
    content_type = response.get("Content-Type", "")
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    if content_type.startswith("application/pdf"):
        try:
            reader = PdfReader(io.BytesIO(body))
            return "\n".join(page.extract_text() or "" for page in reader.pages)
        except PdfReadError:  # an uploaded scan kept as it came (a stand-in here)
            return body.decode("latin-1")
    return body.decode("utf-8", errors="replace")


def kind_of(response) -> str:
    content_type = response.get("Content-Type", "")
    for kind in ("pdf", "csv", "html", "json"):
        if kind in content_type:
            return kind
    return content_type or "empty"


class Finder:
    """Every planted value in a text, in one pass."""

    def __init__(self, planted: list[Planted]) -> None:
        self.by_form: dict[str, list[Planted]] = defaultdict(list)
        for p in planted:
            for form in p.forms:
                self.by_form[form].append(p)
        forms = sorted(self.by_form, key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(f) for f in forms))

    def __call__(self, text: str) -> set[tuple[Planted, str]]:
        found = set()
        for match in self.pattern.finditer(normalise(text)):
            for p in self.by_form[match.group()]:
                found.add((id(p), match.group()))
        return found


def exempt(planted: Planted, user, where: str) -> bool:
    """The audit trail names records by reference for the administrators who search
    it (and never their details)."""
    return (
        planted.field == "reference"
        and where.startswith("html /audit/")
        and permissions.can_search_audit(user)
    )


def fresh_client(user) -> Client:
    client = Client()
    client.force_login(user)  # both factors (tests/conftest.py)
    session = client.session
    session[stepup.CHECKED_AT] = time.time()
    session.save()
    return client


def test_a_marker_appears_only_where_its_record_is_visible(
    data, cast, settings, django_capture_on_commit_callbacks, beat_alive
):
    from meetings import services as meetings
    from missing import services as missing

    planted = data.planted
    by_id = {id(p): p for p in planted}
    allowed = {
        username: {id(p) for p in planted if p.may_see(user)}
        for username, user in cast.items()
    }
    find = Finder(planted)
    starts, unreached = start_urls(data)

    leaks: list[tuple[str, str, str, str]] = []
    shown: dict[int, set[str]] = defaultdict(set)  # planted -> users allowed who saw it
    outputs: dict[str, int] = defaultdict(int)
    fetched: dict[str, int] = {}
    timings: list = []

    def check(username: str, where: str, text: str) -> None:
        for pid, form in find(text):
            if pid in allowed[username] or exempt(by_id[pid], cast[username], where):
                shown[pid].add(username)
            else:
                leaks.append((by_id[pid].label, form, where, username))

    def get(client, username: str, url: str) -> list[str]:
        """Fetch and check one URL; the same-site links and GET forms of its page."""
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started, username, url))
        assert response.status_code < 500, (username, url)
        if response.status_code != 200:
            return []
        kind = kind_of(response)
        outputs[kind] += 1
        text = text_of(response)
        document = re.search(r"/documents/(\d+)/download/", url)
        if document:
            url += f" ({data.documents.get(int(document.group(1)), 'document')})"
        check(username, f"{kind} {url}", text)
        if kind != "html":
            return []
        page = parse(text)
        targets = [same_site(href, url) for href in page.links]
        targets += [
            same_site(f.action or url, url) for f in page.forms if f.method == "get"
        ]
        return [t for t in targets if t and not t.startswith(NOT_FOLLOWED)]

    for username, user in cast.items():
        client = fresh_client(user)
        visited = set(starts)
        found: list[str] = []
        for url in starts:
            found += get(client, username, url)
        # Links to pages already fetched with another query string (filters, pages,
        # sort orders) add little; downloads (format=csv) are always followed.
        paths = {u.split("?")[0] for u in visited}
        follow = []
        for url in found:
            if url in visited or (url.split("?")[0] in paths and "format=" not in url):
                continue
            visited.add(url)
            follow.append(url)
        for url in follow[:FOLLOW_PER_USER]:
            get(client, username, url)
        # Search is POSTed; its results must name only what the searcher may see.
        response = client.post(reverse("cse:search"), {"q": "Zqlk"})
        assert response.status_code < 500
        check(username, "search results for 'Zqlk'", text_of(response))
        fetched[username] = len(starts) + len(follow[:FOLLOW_PER_USER]) + 1

    # The e-mails: those sent while the data set was made (sharing, screening,
    # referrals, actions, circulation) and the scheduled ones.
    with django_capture_on_commit_callbacks(execute=True):
        missing.send_due_alerts(now=timezone.now() + datetime.timedelta(days=10))
        meetings.send_overdue_reminders(
            today=timezone.localdate() + datetime.timedelta(days=30)
        )
    by_email = {user.email: username for username, user in cast.items()}
    for message in mail.outbox:
        parts = [("subject", message.subject), ("body", message.body)]
        parts += [
            (f"alternative {mimetype}", str(content))
            for content, mimetype in getattr(message, "alternatives", [])
        ]
        for recipient in message.to:
            username = by_email.get(recipient)
            for where, text in parts:
                if username is None:
                    assert not find(text), (recipient, where)
                    continue
                check(username, f"e-mail {where} '{message.subject}'", text)
    outputs["e-mail"] = len(mail.outbox)

    records = {p.record for p in planted}
    total = sum(fetched.values())
    never = sorted({p.label for p in planted if not shown[id(p)]})
    print(
        f"\nContent leak test: {len(records)} records x {len(planted)} fields "
        f"(planted values, {sum(len(p.forms) for p in planted)} written forms) x "
        f"{len(starts)} named URLs + links one level ({total} requests over "
        f"{len(cast)} users: {fetched}) x outputs {dict(outputs)}; "
        f"{len(unreached)} routes without known arguments: {unreached}; "
        f"{len(leaks)} leaks; planted values nobody was shown: {never}"
    )
    slowest = sorted(timings, reverse=True)[:5]
    print(
        f"{sum(t for t, *_ in timings):.0f}s in requests; slowest: "
        + ", ".join(f"{url} as {user} {t:.1f}s" for t, user, url in slowest)
    )
    # The positive controls: a shared record's values reach the agency it is shared
    # with, beyond the agency that holds it (so they would be caught anywhere else).
    missed = [
        p.label
        for p in planted
        if p.shared and not shown[id(p)] - {"alice", "bob", "carol", "sam"}
    ]
    print(f"positive controls not shown to the agencies they are shared with: {missed}")
    for leak in sorted(set(leaks)):
        print("LEAK", *leak, sep=" | ")

    assert not leaks, sorted(set(leaks))[:40]
    assert not missed, missed
    assert total > 1000
    assert outputs["pdf"] and outputs["csv"] and outputs["e-mail"]
