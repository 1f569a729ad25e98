"""Sending a form as a browser does: its one-time token read from the rendered page,
and the same POST sent again (a double click) or at once from two threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from django.apps import apps
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.test import Client

from cse.submission_tokens import ALREADY_SAVED, FIELD
from tests.security.crawl import parse

# Written on every request, not by a form: sessions and the sign-in index.
NOT_RECORDS = {"django_session", "cse_usersession"}


def token_on(response, action: str | None = None) -> str:
    """The one-time token of the POST form on the rendered page that posts to
    `action` (a path; the page itself when the form has no action), or of the only
    POST form there is. Fails when that form has none."""
    page_path = response.wsgi_request.path
    forms = [
        form
        for form in parse(response.content.decode()).forms
        if form.method == "post"
        and (
            action is None
            or urlsplit(urljoin(page_path, form.action or page_path)).path == action
        )
    ]
    if action != "/logout/":  # the sign-out form in every page's header
        forms = [f for f in forms if not f.action.startswith("/logout/")]
    assert forms, f"No POST form to {action or 'this page'} on {page_path}"
    values = [f["value"] for f in forms[0].fields if f.get("name") == FIELD]
    assert values, f"The form to {action or page_path} has no one-time token"
    return values[0]


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def said_already_saved(response) -> bool:
    return ALREADY_SAVED in messages_of(response)


def row_counts() -> dict[str, int]:
    """Rows in every table of the app (the audit trail and the form tokens
    included), sessions aside, in one query."""
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models()
            if model._meta.managed and not model._meta.proxy
        }
        - NOT_RECORDS
    )
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT '{table}', COUNT(*) FROM {quote(table)}"  # noqa: S608 (table names from the models)
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before[k] for k in after if after[k] != before[k]}


def post_at_once(clients: list[Client], url: str, data: dict) -> list:
    """POST `data` to `url` from two threads at once, one client each (each thread
    has its own database connection); returns both responses, or the exception a
    thread raised in place of its response."""
    responses: list = [None] * len(clients)
    start = threading.Barrier(len(clients))

    def send(index: int) -> None:
        try:
            start.wait()
            responses[index] = clients[index].post(url, data)
        except Exception as error:  # handed to the test, which fails on it
            responses[index] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=send, args=(i,), daemon=True)
        for i in range(len(clients))
    ]
    for thread in threads:
        thread.start()
    return threads, responses


def wait_for_lock_waiter(timeout: float = 10.0) -> bool:
    """True once a connection to the test database waits on a lock (PostgreSQL)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


class Pause:
    """Wraps a service so that the first request to call it stops there, once the
    service has done its work inside the request's transaction, until `release()`:
    the other request of a pair then arrives while the first is still open."""

    def __init__(self, real: Callable) -> None:
        self.real = real
        self.calls = 0
        self.entered = threading.Event()
        self._release = threading.Event()

    def __call__(self, *args, **kwargs):
        result = self.real(*args, **kwargs)
        self.calls += 1
        self.entered.set()
        self._release.wait(timeout=30)
        return result

    def release(self) -> None:
        self._release.set()


def same_browser(client: Client) -> Client:
    """A second client with the first one's cookies: the same signed-in session."""
    twin = Client()
    twin.cookies = client.cookies
    return twin
