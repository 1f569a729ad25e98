"""No personal data in URLs, query strings, logs or e-mails.

Builds the marker data set, then as each cast member GETs every named URL (the
resolver walk, with the data set's ids), follows every same-site link, form action
and redirect it meets (a bounded crawl), submits every GET form with a name typed
into its text inputs, POSTs the search form with a name, and sets off the e-mails
(sharing, screening submission, circulation, missing alerts, overdue actions,
lockout). No marker may appear in any URL seen, any log line, or any e-mail: its subject, its
text, its HTML alternative (an e-mail only prompts the recipient to sign in and see;
nothing may be attached).
"""

from __future__ import annotations

import datetime
import logging

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.security.conftest import all_routes, kwargs_for, markers_in
from tests.security.crawl import crawl, is_html

PER_USER_LIMIT = 400
LOGGERS = ("", "django", "django.request", "django.server", "cse", "celery", "axes")


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines(settings):
    """Every log record of every logger, at DEBUG (as with LOG_LEVEL=DEBUG), whatever
    the propagation (django.server does not propagate). Levels set on purpose in
    settings.LOGGING (e.g. django.template, which would dump template contexts) stand,
    except for the request, server, app and Celery loggers, which go to DEBUG."""
    configured = set(settings.LOGGING.get("loggers", {})) - set(LOGGERS)
    configured.discard("cse.access")
    handler = Collect()
    saved = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    for name in list(logging.root.manager.loggerDict):
        logger = logging.getLogger(name)
        if logger.level > logging.DEBUG and name not in configured:
            saved.append((logger, logger.level))
            logger.setLevel(logging.DEBUG)
        if not logger.propagate and name not in LOGGERS:
            logger.addHandler(handler)
            saved.append((logger, None))
    yield handler.lines
    for logger, level in saved:
        if level is None:
            logger.removeHandler(handler)
        else:
            logger.setLevel(level)
            logger.removeHandler(handler)


# Inputs of a GET form where someone would type a name, a date of birth or a postcode:
# such a form would put them in the query string. Other inputs of GET forms take ids,
# references, staff usernames or dates, which may go in a URL.
NAME_INPUTS = {
    "q",
    "query",
    "search",
    "name",
    "forename",
    "surname",
    "text",
    "postcode",
    "date_of_birth",
    "dob",
    "phone",
    "registration",
}
get_form_inputs: set[str] = set()


def _type_a_name(form) -> dict:
    """A GET form filled as someone searching for a child by name would."""
    data = {}
    for f in form.fields:
        if not f.get("name"):
            continue
        if f["type"] in {"text", "search"}:
            get_form_inputs.add(f"{form.action or '(same page)'}:{f['name']}")
        if f["type"] == "search" or f["name"].lower() in NAME_INPUTS:
            data[f["name"]] = "Zqxname Zqxsurname"
        elif f["type"] == "select" and f.get("value"):
            data[f["name"]] = f["value"]
    return data if any(v == "Zqxname Zqxsurname" for v in data.values()) else {}


def _mail_parts(message) -> list[tuple[str, str]]:
    """The subject, the plain-text body and every alternative (the HTML part): all
    of it leaves the secure system."""
    parts = [("subject", message.subject), ("body", message.body)]
    for content, mimetype in getattr(message, "alternatives", []):
        text = content.decode() if isinstance(content, bytes) else str(content)
        parts.append((f"alternative {mimetype}", text))
    return parts


def test_no_personal_data_reaches_a_url_a_log_or_an_email(
    log_lines, dataset, cast, django_capture_on_commit_callbacks, settings, beat_alive
):
    from meetings import services as meetings
    from missing import services as missing

    settings.AXES_ENABLED = True
    leaks: list[tuple[str, str, str, list[str]]] = []
    starts: list[str] = []
    unreached: list[str] = []
    for route in all_routes():
        kwargs = kwargs_for(route, dataset)
        if kwargs is None:
            unreached.append(route.name)
            continue
        starts.append(reverse(route.name, kwargs=kwargs))

    crawled: dict[str, int] = {}
    statuses: dict[int, int] = {}
    answered: set[str] = set()
    for username, user in cast.items():
        client = Client()
        client.force_login(user)

        def seen(where: str, url: str, who=username) -> None:
            found = markers_in(url or "")
            if found:
                leaks.append((who, where, url, found))

        def on_response(url, response, username=username) -> None:
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            # A wrong id would be 404 for everyone; a page that the record's state
            # closes (serving a notice already served) answers otherwise.
            if response.status_code != 404:
                answered.add(url)
            assert response.status_code < 500, (username, url)

        with django_capture_on_commit_callbacks(execute=True):
            visited = crawl(
                client,
                starts,
                limit=PER_USER_LIMIT,
                seen_url=seen,
                on_response=on_response,
                fill_get_form=_type_a_name,
            )
            # Search text is POSTed; the results page and its links name no one.
            response = client.post(reverse("cse:search"), {"q": "Zqxname Zqxsurname"})
            if is_html(response):
                from tests.security.crawl import parse

                page = parse(response.content.decode())
                for href in page.links:
                    seen(f"link on search results for {username}", href)
        crawled[username] = len(visited)

    # The e-mails: missing-interview alerts and reminders, overdue meeting actions,
    # a lockout, a password change.
    with django_capture_on_commit_callbacks(execute=True):
        missing.send_due_alerts(now=timezone.now() + datetime.timedelta(days=10))
        meetings.send_overdue_reminders(
            today=timezone.localdate() + datetime.timedelta(days=30)
        )
        anonymous = Client()
        for _ in range(8):
            anonymous.post(
                reverse("login"), {"username": "alice", "password": "Zqxname wrong"}
            )
        alice = Client()
        alice.force_login(cast["alice"])
        alice.post(
            reverse("password_change"),
            {
                "old_password": "a-long-test-password",
                "new_password1": "another-long-password-2026",
                "new_password2": "another-long-password-2026",
            },
        )

    for line in log_lines:
        found = markers_in(line)
        if found:
            leaks.append(("log", "log line", line[:300], found))
    for message in mail.outbox:
        for where, text in _mail_parts(message):
            found = markers_in(text)
            if found:
                leaks.append(
                    ("e-mail", where, f"{message.subject}: {text[:300]}", found)
                )

    total = sum(crawled.values())
    print(
        f"\nPersonal-data crawl: {len(starts)} named URLs as start points "
        f"({len(unreached)} without known arguments: {unreached}); "
        f"{total} URL x user requests over {len(crawled)} users {crawled}; "
        f"statuses {dict(sorted(statuses.items()))}; {len(log_lines)} log lines; "
        f"{len(mail.outbox)} e-mails {sorted({m.subject for m in mail.outbox})}; text inputs of GET forms: {sorted(get_form_inputs)}"
    )
    assert not leaks, leaks[:20]
    # Every start URL names a real record: someone was not told "not found".
    assert not set(starts) - answered, sorted(set(starts) - answered)
    # The run did exercise what it claims to.
    assert total > 300
    assert len(mail.outbox) >= 5
    # Notifications about the marker records were e-mailed (their bodies checked
    # above), and every e-mail points to the site rather than carrying the detail.
    assert any(m.subject.endswith("You have a new notification") for m in mail.outbox)
    assert all(settings.SITE_URL in m.body for m in mail.outbox)
    assert not [m.subject for m in mail.outbox if m.attachments]
    assert any("cse.access" in line for line in log_lines)


@pytest.mark.django_db
def test_every_email_the_app_sends_only_prompts_to_sign_in(
    cast, settings, django_capture_on_commit_callbacks
):
    """Each kind of e-mail, sent about a notification whose in-app text names a
    child in full: the e-mail carries the recipient's own name and a link, nothing
    of the notification's text."""
    from cse import services as core
    from cse.tasks import SECURITY_NOTICES, email_password_reset, email_security_notice

    alice = cast["alice"]
    with django_capture_on_commit_callbacks(execute=True):
        core.notify(
            users=[alice],
            message=(
                "Zqxname Zqxsurname (Zqxalias), born 3 February 2011, of ZZ9 9ZZ, "
                "was reported missing"
            ),
            url="/notifications/",
        )
    for kind in SECURITY_NOTICES:
        email_security_notice(alice.pk, kind)
    email_password_reset(alice.pk)
    assert len(mail.outbox) == len(SECURITY_NOTICES) + 2
    for message in mail.outbox:
        assert message.to == [alice.email]
        assert settings.SITE_URL in message.body
        assert not message.attachments
        for where, text in _mail_parts(message):
            assert not markers_in(text), (message.subject, where, text)
    assert alice.first_name in mail.outbox[0].body
