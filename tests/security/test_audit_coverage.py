"""Every page a case worker is shown leaves an audit event.

Walks every named URL of the project with the marker data set's ids and GETs it as
each case-working cast member: every answer of 200 must have written at least one
audit event, by that user, in that request, except the few pages of
cse.middleware.UNAUDITED_VIEWS, which must show none of the records' details. A view
added later is walked too.
"""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from cse import permissions
from cse.middleware import UNAUDITED_VIEWS
from cse.models import AuditEvent
from tests.security.conftest import all_routes, kwargs_for, markers_in


def _casework(cast):
    return {name: user for name, user in cast.items() if permissions.sees_records(user)}


def _walk(cast, dataset):
    """(url name, user, url, status, events written, content) of every GET."""
    urls = []
    for route in all_routes():
        kwargs = kwargs_for(route, dataset)
        if kwargs is not None:
            urls.append((route.name, reverse(route.name, kwargs=kwargs)))
    for username, user in _casework(cast).items():
        client = Client()
        client.force_login(user)
        for name, url in urls:
            before = AuditEvent.objects.filter(user=user).count()
            response = client.get(url)
            written = AuditEvent.objects.filter(user=user).count() - before
            content = b"" if response.streaming else response.content
            yield name, username, url, response.status_code, written, content


def test_every_page_answering_a_case_worker_writes_an_audit_event(cast, dataset):
    """One walk (it is slow) for both claims: every page answering 200 wrote an
    event, and the pages allowed not to show no marker."""
    assert len(_casework(cast)) >= 6
    walked = list(_walk(cast, dataset))
    silent = [
        (username, url)
        for name, username, url, status, written, _ in walked
        if status == 200 and written == 0 and name not in UNAUDITED_VIEWS
    ]
    pages = {url for _, _, url, status, _, _ in walked if status == 200}
    assert len(pages) > 80, "the walk reached too few pages to prove anything"
    assert not silent, silent
    unaudited = [
        (name, username, markers_in(content.decode(errors="replace")))
        for name, username, _, status, _, content in walked
        if name in UNAUDITED_VIEWS and status == 200
    ]
    assert unaudited, "none of the unaudited pages was reached"
    assert not [row for row in unaudited if row[2]], unaudited


def test_the_allow_list_names_only_existing_views():
    names = {route.name for route in all_routes()}
    assert set(UNAUDITED_VIEWS) <= names, set(UNAUDITED_VIEWS) - names


def test_a_page_that_audits_itself_gets_no_second_event(client_for, alice, child):
    client = client_for(alice)
    before = AuditEvent.objects.count()
    assert client.get(child.get_absolute_url()).status_code == 200
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.subject_id) for e in events] == [("view", child.pk)]


def test_an_edit_page_is_audited_as_a_view_of_its_record(client_for, alice, child):
    client = client_for(alice)
    before = AuditEvent.objects.count()
    url = reverse("cse:child_edit", args=[child.pk])
    assert client.get(url).status_code == 200
    (event,) = AuditEvent.objects.order_by("pk")[before:]
    assert (event.action, event.subject_id, event.user) == ("view", child.pk, alice)
    assert event.detail == {"view": "cse:child_edit", "kwargs": {"pk": child.pk}}
    assert event.path == url


def test_a_page_refused_or_not_found_writes_nothing(client_for, erin, child):
    client = client_for(erin)
    before = AuditEvent.objects.count()
    assert client.get(reverse("cse:child_edit", args=[child.pk])).status_code == 404
    assert AuditEvent.objects.count() == before


def test_a_user_who_sees_no_records_gets_no_view_event_from_the_middleware(
    client_for, pam
):
    client = client_for(pam)
    last = AuditEvent.objects.order_by("pk").last()
    assert client.get(reverse("reports:dataset")).status_code == 200
    written = AuditEvent.objects.filter(pk__gt=last.pk if last else 0)
    assert not written.filter(detail__has_key="view")
