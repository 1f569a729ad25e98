"""Hostile input through every free-text field of every form, and every page, PDF and
CSV that shows it back.

The forms are found, not listed: as the first cast member the page opens for, GET
every named URL (the resolver walk) and take every POST form on it with a free-text
input or textarea. Each form is filled as a person would (dates, choices, ticks) with
a payload in every free-text field, followed by a token naming field and payload.
Where the form refuses a field's format (a postcode, a registration), that field
gets a plain value and the form is sent again. Then every page (and the PDFs and CSVs
they link to) is fetched again and checked: no live markup, no evaluated template,
formula cells neutralised; the tokens found say which field × payload × output
combinations were really shown.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from cse.submission_tokens import FIELD
from tests.page_forms import VERSION
from tests.security import hostile
from tests.security.conftest import all_routes, kwargs_for
from tests.security.crawl import Form, is_html, parse, same_site

# Forms never filled: signing in, identity checks and passwords take credentials.
CREDENTIAL_VIEWS = {"login", "logout", "step_up", "password_change"}
# Forms that end a record's life (or take it from other agencies): filled once, at the
# end, so the rounds before them still have the record to show.
FINAL_VIEWS = {
    "cse:share_withdraw",
    "disruption:cawn_withdraw",
    "disruption:plan_deselect",
    "meetings:item_remove",
    "meetings:minutes_approve",
}
FREE_TEXT = {"text", "textarea", "search"}


def fallback(name: str) -> str:
    """A plain value for a field that refused the payload's format."""
    n = name.lower()
    if "postcode" in n:
        return "TE1 1ST"
    if "registration" in n:
        return "AB12 CDE"
    if "email" in n:
        return "test@example.org"
    if "phone" in n or "number" in n or "contact" in n:
        return "0121 496 0000"
    if re.search(r"_3$", n) or "time" in n:
        return "10:00"
    if "collar" in n:
        return "PC 1"
    return "Test value"


def is_free_text(f: dict) -> bool:
    return (
        bool(f.get("name"))
        and f["type"] in FREE_TEXT
        and f.get("inputmode") != "numeric"
        and not re.search(r"_3$", f["name"])  # the time part of a date-time input
        and f["name"] not in {"csrfmiddlewaretoken"}
    )


@dataclass
class Target:
    number: int
    page: str  # where the form is
    action: str  # where it posts
    view: str
    user: str
    form: Form


def fill(target: Target, text_for) -> dict:
    data: dict[str, object] = {}
    submit_done = False
    for index, f in enumerate(target.form.fields):
        name = f.get("name")
        if not name:
            continue
        kind = f["type"]
        if name == FIELD:
            # Each form here is sent many times from one page: with its one-time
            # token every send after the first saved one would be a repeat.
            continue
        if kind == "hidden":
            data[name] = f["value"]
        elif is_free_text(f):
            data[name] = text_for(index, f)
        elif kind in {"text", "tel", "email", "number", "date"} or f.get("inputmode"):
            if re.search(r"_0$", name):
                data[name] = "1"
            elif re.search(r"_1$", name):
                data[name] = "2"
            elif re.search(r"_2$", name):
                data[name] = "2020"
            elif re.search(r"_3$", name):
                data[name] = "10:00"
            elif kind == "email":
                data[name] = "test@example.org"
            elif kind == "number" or f.get("inputmode") == "numeric":
                data[name] = "1"
            else:
                data[name] = fallback(name)
        elif kind == "select":
            options = [o for o in f["options"] if o]
            data[name] = f["value"] or (options[0] if options else "")
        elif kind == "radio":
            if name not in data or f["checked"]:
                data[name] = f["value"]
        elif kind == "checkbox":
            data.setdefault(name, [])
            data[name].append(f["value"] or "on")
        elif kind == "submit" and not submit_done:
            data[name] = f["value"]
            submit_done = True
    return data


def errored_fields(body: str) -> set[str]:
    return {
        re.sub(r"_\d$", "", anchor)
        for anchor in re.findall(r'href="#id_([^"]+)"', body)
    }


@pytest.fixture
def targets(dataset, cast):
    """Every POST form with free text on every page, as the first cast member the page
    opens for; and the pages (with their PDFs and CSVs) to check, each as that user."""
    clients = {}
    for name, user in cast.items():
        clients[name] = Client()
        clients[name].force_login(user)
    found: list[Target] = []
    seen_forms: set[tuple] = set()
    outputs: dict[str, str] = {}
    for route in all_routes():
        if route.name in CREDENTIAL_VIEWS:
            continue
        kwargs = kwargs_for(route, dataset)
        if kwargs is None:
            continue
        url = reverse(route.name, kwargs=kwargs)
        for username, client in clients.items():
            response = client.get(url)
            if response.status_code != 200:
                continue
            outputs.setdefault(url, username)
            if not is_html(response):
                break
            page = parse(response.content.decode())
            for href in page.links:
                target = same_site(href, url)
                if target and re.search(r"pdf|csv|download|signed-copy", target):
                    outputs.setdefault(target, username)
            for form in page.forms:
                action = same_site(form.action or url, url)
                if form.method != "post" or not action:
                    continue
                if not any(is_free_text(f) for f in form.fields):
                    continue
                try:
                    view = resolve(action.split("?")[0]).view_name
                except Resolver404:
                    continue
                if view in CREDENTIAL_VIEWS:
                    continue
                key = (action, tuple(f.get("name") for f in form.fields))
                if key in seen_forms:
                    continue
                seen_forms.add(key)
                found.append(Target(len(found), url, action, view, username, form))
            break
    found.sort(key=lambda t: t.view in FINAL_VIEWS)
    return clients, found, outputs


@dataclass
class Tally:
    posted: int = 0
    saved_forms: int = 0
    combinations: int = 0
    outputs_checked: int = 0
    pdfs: int = 0
    csvs: int = 0


def current_version(client, target: Target) -> str:
    page = client.get(target.page)
    for form in parse(page.content.decode()).forms:
        if same_site(form.action or target.page, target.page) == target.action:
            for f in form.fields:
                if f.get("name") == VERSION:
                    return f["value"]
    return ""


def submit(clients, target: Target, pair: tuple[int, int], tally, problems):
    """Send the form with the pair of payloads in every free-text field; again with
    plain values in the fields that refused them. Returns the response."""
    plain: set[str] = set()
    payload = hostile.PAYLOADS[pair[0]][1]

    def text_for(index, f):
        if f["name"] in plain:
            return fallback(f["name"])
        return " ".join(
            hostile.PAYLOADS[p][1] + hostile.token(target.number, index, p)
            for p in pair
        )

    client = clients[target.user]
    response = None
    for _attempt in range(3):
        data = fill(target, text_for)
        if VERSION in data:
            # An edit form is judged against the version it was read at: each send
            # is made from the page as it now is, as a person editing again would.
            data[VERSION] = current_version(client, target)
        response = client.post(target.action, data)
        tally.posted += 1
        if response.status_code >= 500:
            problems.append(("500", target.view, payload[:40]))
            return response
        if response.status_code != 200 or not is_html(response):
            break
        body = response.content.decode()
        for problem in hostile.unsafe_markup(body):
            problems.append(("form page", target.view, payload[:40], problem))
        wrong = errored_fields(body) - plain
        if not wrong:
            break
        plain |= wrong
    if response.status_code == 302:
        tally.saved_forms += 1
        where = same_site(response["Location"], target.action)
        if where:
            check_output(client, where, tally, problems)
    return response


def check_output(client, url, tally, problems) -> set:
    response = client.get(url)
    if response.status_code >= 500:
        problems.append(("500", url))
        return set()
    if response.status_code != 200:
        return set()
    tally.outputs_checked += 1
    kind = response.get("Content-Type", "")
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    if kind.startswith("application/pdf"):
        tally.pdfs += 1
        try:
            text = hostile.pdf_text(content)
        except Exception as error:  # a stored upload of the data set is a stub
            if len(content) > 100:
                problems.append(("pdf", url, repr(error)))
            return set()
    elif kind.startswith("text/csv"):
        tally.csvs += 1
        text = content.decode("utf-8-sig")
        for cell in hostile.unsafe_csv_cells(text):
            problems.append(("csv formula", url, cell[:60]))
    elif is_html(response):
        body = content.decode()
        for problem in hostile.unsafe_markup(body):
            problems.append(("page", url, problem))
        text = hostile.html_text(body)
    else:
        return set()
    for evaluated in hostile.evaluated_templates(text):
        problems.append(("template evaluated", url, evaluated))
    shown = hostile.tokens_in(text)
    tally.combinations += len(shown)
    return shown


def test_hostile_input_is_never_live_in_pages_pdfs_or_csvs(targets, capsys):
    clients, found, outputs = targets
    tally = Tally()
    problems: list[tuple] = []
    shown_fields: dict[int, set] = defaultdict(set)
    rounds = hostile.PAYLOADS
    for number, pair in enumerate(hostile.PAIRS):
        for target in found:
            if target.view in FINAL_VIEWS and number < len(hostile.PAIRS) - 1:
                continue
            submit(clients, target, pair, tally, problems)
        for url, username in outputs.items():
            for form, field, p in check_output(clients[username], url, tally, problems):
                shown_fields[p].add((form, field))
    free_text_fields = sum(1 for t in found for f in t.form.fields if is_free_text(f))
    with capsys.disabled():
        print(
            f"\nHostile input: {len(found)} forms with {free_text_fields} free-text "
            f"fields x {len(rounds)} payloads; {tally.posted} POSTs, "
            f"{tally.saved_forms} saved; {tally.outputs_checked} outputs checked "
            f"({tally.pdfs} PDFs, {tally.csvs} CSVs); "
            f"{tally.combinations} field x payload x output combinations shown back "
            f"and checked; fields shown per payload: "
            f"{ {rounds[p][0]: len(v) for p, v in sorted(shown_fields.items())} }"
        )
    assert not problems, problems[:30]
    assert tally.combinations > 100


def test_the_long_value_is_over_every_free_text_limit():
    assert len(hostile.LONG[1]) > settings.FREE_TEXT_MAX_LENGTH
    assert len(hostile.LONG[1]) > settings.LONG_FREE_TEXT_MAX_LENGTH


@pytest.mark.parametrize("name,payload", [hostile.NUL, hostile.LONG, hostile.RTL])
def test_nul_bytes_overlong_input_and_bidi_overrides_are_refused_by_every_form(
    targets, name, payload
):
    """Every form with a free-text field refuses the value with an error (a page
    with the error summary, or a POST-only view's error message), never a server
    error and never by saving it. The forms that end a record's life come last, so
    one that wrongly accepted the value could not hide the others' answers."""
    clients, found, _outputs = targets
    failures = []
    refused = 0
    for target in found:
        response = clients[target.user].post(
            target.action,
            fill(target, lambda index, f: payload),
        )
        if response.status_code >= 500:
            failures.append((target.view, response.status_code))
        elif response.status_code == 200 and "govuk-error-summary" in (
            response.content.decode()
        ):
            refused += 1
        elif response.status_code == 302 and any(
            m.level == messages.ERROR for m in get_messages(response.wsgi_request)
        ):
            refused += 1  # a POST-only view goes back to its page with the error
        else:
            failures.append((target.view, target.action, response.status_code))
    print(f"\n{name}: {refused} of {len(found)} forms refused it with an error")
    assert not failures, failures
    assert refused == len(found) > 50
