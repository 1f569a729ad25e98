"""Forged POSTs: every URL that takes a POST refuses one without a CSRF token (403) and
writes nothing, even from a signed-in user with the rights to do it; and a POST with a
valid token from another origin is refused too."""

from __future__ import annotations

import re

from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.security.conftest import all_routes, kwargs_for
from tests.security.crawl import is_html, parse, same_site
from tests.security.test_hostile_input import Target, fill

# The cast in the order tried: the first whose GET is not refused POSTs.
SESSION_KEYS = {"django_session"}


def row_counts() -> dict[str, int]:
    """Rows in every table of the app, in one query."""
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models()
            if model._meta.managed and not model._meta.proxy
        }
        - SESSION_KEYS
    )
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT '{table}', COUNT(*) FROM {quote(table)}"  # noqa: S608 (table names from the models)
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def post_data(client: Client, url: str, response) -> dict:
    """The page's own form filled as a person would, so that with a token the POST
    would have done something."""
    if response.status_code != 200 or not is_html(response):
        return {"reason": "Test reason", "confirm": "on"}
    page = parse(response.content.decode())
    for number, form in enumerate(page.forms):
        if form.method == "post" and same_site(form.action or url, url) == url:
            target = Target(number, url, url, "", "", form)
            data = fill(target, lambda index, f: "Test value")
            data.pop("csrfmiddlewaretoken", None)
            return data
    return {"reason": "Test reason"}


def test_every_post_without_a_csrf_token_is_refused_and_writes_nothing(dataset, cast):
    clients = {}
    for name, user in cast.items():
        clients[name] = Client(enforce_csrf_checks=True)
        clients[name].force_login(user)
    failures = []
    tried = []
    unreached = []
    for route in all_routes():
        kwargs = kwargs_for(route, dataset)
        if kwargs is None:
            unreached.append(route.name)
            continue
        url = reverse(route.name, kwargs=kwargs)
        for username, client in clients.items():  # noqa: B007 (used after the loop)
            response = client.get(url)
            if response.status_code in {200, 405}:
                break
        else:
            # Public or refused to everyone signed in (e.g. the sign-in page): post
            # as someone not signed in.
            username, client = "anonymous", Client(enforce_csrf_checks=True)
            response = client.get(url)
        data = post_data(client, url, response)
        before = row_counts()
        forged = client.post(url, data)
        after = row_counts()
        tried.append((route.name, username))
        if forged.status_code != 403:
            failures.append((route.name, username, forged.status_code))
        written = {k: after[k] - before[k] for k in after if after[k] != before[k]}
        if written:
            failures.append((route.name, username, "wrote", written))
    print(
        f"\nForged POSTs: {len(tried)} URLs refused without a token "
        f"(not reached, no arguments known: {unreached})"
    )
    assert not failures, failures
    assert len(tried) > 100


def test_a_post_from_another_origin_is_refused_even_with_a_valid_token(dataset, cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["alice"])
    url = reverse("cse:alias_create", args=[dataset["child"]])
    page = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = {"csrfmiddlewaretoken": token, "name": "Testalias", "notes": ""}
    before = row_counts()
    refused = client.post(url, data, HTTP_ORIGIN="https://attacker.example")
    assert refused.status_code == 403
    assert row_counts() == before
    # The same POST from the app's own origin goes through.
    accepted = client.post(url, data, HTTP_ORIGIN="http://testserver")
    assert accepted.status_code == 302


def test_over_https_another_origin_or_referer_is_refused_as_in_production(
    dataset, cast
):
    """Behind HTTPS, as deployed, Django also checks the Referer when there is no
    Origin; CSRF_TRUSTED_ORIGINS is empty unless the deployment names its own."""
    from django.conf import settings

    assert not settings.CSRF_TRUSTED_ORIGINS
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["alice"])
    url = reverse("cse:alias_create", args=[dataset["child"]])
    page = client.get(url, secure=True).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = {"csrfmiddlewaretoken": token, "name": "Testalias", "notes": ""}
    before = row_counts()
    for headers in (
        {"HTTP_ORIGIN": "https://attacker.example"},
        {"HTTP_REFERER": "https://attacker.example/page"},
        {},  # no Referer at all over HTTPS
    ):
        assert client.post(url, data, secure=True, **headers).status_code == 403
    assert row_counts() == before
    accepted = client.post(
        url, data, secure=True, HTTP_REFERER="https://testserver" + url
    )
    assert accepted.status_code == 302
