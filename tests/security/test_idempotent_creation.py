"""Every form that creates saves once: the same POST sent again (a double click, a
browser resending after a slow answer) shows the first result and writes nothing.

Two tests, over the data set every security test shares:

* The walk: as the first cast member each page opens for, GET every named URL (the
  resolver walk) and look at every POST form on it. Each must carry a one-time
  token, and each form's view must be stated below, as a view that creates
  (CREATES, with how to fill its form) or one that does not (OTHER_POSTS, with
  why) or one exempt from tokens (cse.submission_tokens.EXEMPT_VIEWS). A new view
  with a form fails the walk until it is stated, and stating it as creating puts
  it in the second test.
* For every view that creates: open the page its form is on, fill the form in as a
  person would (tests.security.test_hostile_input.fill), send it with the token
  read from the page
  until it saves (fields it refuses get plain values; a form sent back with errors
  keeps its token), then send exactly the same POST again: the second is sent to
  the same place with "This was already saved", and no table gains or loses a row.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from cse.models import SubmissionToken
from cse.submission_tokens import EXEMPT_NAMESPACES, EXEMPT_VIEWS, FIELD
from reports.delivery_plan import IMPORT_COLUMNS
from tests.form_tokens import changed, messages_of, row_counts, said_already_saved
from tests.security.conftest import all_routes, kwargs_for, markers_in
from tests.security.crawl import Form, is_html, parse, same_site
from tests.security.test_hostile_input import Target, errored_fields, fallback, fill

TODAY = timezone.localdate()
NOW = timezone.now()
FIXTURES = Path(__file__).parent.parent / "cse" / "fixtures"
# URL arguments that are not ids: the kind of record made from a report.
SLUGS = {"person", "location", "vehicle"}
# Rows every request may add that are not what a form creates.
BOOKKEEPING = {"cse_auditevent", "cse_submissiontoken", "cse_chronologyentry"}


def _csv(name: str, text: str) -> Callable[[dict], SimpleUploadedFile]:
    return lambda ids: SimpleUploadedFile(name, text.encode(), "text/csv")


def _reference(kind: str) -> Callable[[dict], str]:
    def reference(ids: dict) -> str:
        from cse.models import Subject

        return Subject.objects.get(pk=ids[kind]).reference

    return reference


def _date(day: datetime.date | None, prefix: str) -> dict:
    parts = (day.day, day.month, day.year) if day else ("", "", "")
    return {f"{prefix}_{n}": str(part) for n, part in enumerate(parts)}


def _datetime(moment: datetime.datetime, prefix: str) -> dict:
    local = timezone.localtime(moment)
    return {**_date(local.date(), prefix), f"{prefix}_3": f"{local:%H:%M}"}


def _justify_report(client: Client, ids: dict) -> None:
    """An analyst gives the s.62 justification once; the report's forms follow."""
    client.post(
        reverse("disruption:report_detail", args=[ids["report"]]),
        {
            "step": "justify",
            "purpose": "grading",
            "justification": "Grading the report",
        },
    )


def _fresh_cawn(client: Client, ids: dict) -> dict:
    """A notice prepared but not served, for the service and upload forms."""
    from cse.models import Child, PersonOfInterest, User
    from disruption import services

    cawn = services.issue_cawn(
        by=User.objects.get(username="dave"),
        person=PersonOfInterest.objects.get(pk=ids["person"]),
        child=Child.objects.get(pk=ids["child"]),
        issue_date=TODAY,
        child_name="Testchild Sampleton",
        parental_responsibility="Testmother Sampleton",
        recipient_name="Testperson Exampleby",
        recipient_date_of_birth=datetime.date(1980, 1, 1),
        recipient_address="1 Sample Street",
    )
    return {**ids, "cawn": cawn.pk}


def _served_cawn(client: Client, ids: dict) -> dict:
    """A notice served without a signed copy, for the upload form."""
    from cse.models import User
    from disruption import services
    from disruption.models import Cawn

    ids = _fresh_cawn(client, ids)
    services.serve_cawn(
        by=User.objects.get(username="dave"),
        cawn=Cawn.objects.get(pk=ids["cawn"]),
        served_at=NOW - datetime.timedelta(minutes=5),
        photograph_shown=True,
        knowledge_verified_by="",
        signature="signed",
        refusal_reason="",
        review_on=None,
    )
    return ids


def _stored_files(ids: dict) -> int:
    from django.conf import settings

    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return sum(1 for path in root.rglob("*") if path.is_file())


def _queued_report(client: Client, ids: dict) -> dict:
    """A police report the import could not match, as the import leaves it."""
    from cse.models import User
    from missing.importing import import_reports
    from missing.models import MatchingQueueItem

    text = MISSING_IMPORT.replace("Zqxname,Zqxsurname", "Unmatched,Testperson")
    carol = User.objects.get(username="carol")
    import_reports(text=text, by=carol, area=carol.agency.local_area)
    return {**ids, "queue_item": MatchingQueueItem.objects.latest("pk").pk}


def _field(app: str, model: str, name: str, ids: dict):
    """A field of the row the form is for (the data set's episode's interview, the
    notice): what a form that records on an existing row changes."""
    from django.apps import apps

    found = apps.get_model(app, model).objects
    row = (
        found.get(episode_id=ids["episode"])
        if model == "ReturnInterview"
        else found.get(pk=ids["cawn"])
    )
    return getattr(row, name)


def _attach_two(client: Client, ids: dict) -> None:
    """The report concerns a person and a place, so the analyst may link them."""
    from cse.models import Subject, User
    from disruption import services
    from disruption.models import IntelligenceReport

    _justify_report(client, ids)
    ian = User.objects.get(username="ian")
    report = IntelligenceReport.objects.get(pk=ids["report"])
    for kind in ("person", "location"):
        services.attach_subject(
            by=ian, report=report, subject=Subject.objects.get(pk=ids[kind])
        )


@dataclass(frozen=True)
class Creates:
    """A view whose POST creates rows: who sends its form, from which page."""

    user: str
    page: str | None = None  # the URL name of the page the form is on (the view's)
    data: dict = field(default_factory=dict)  # values a person would choose
    prepare: Callable[[Client, dict], dict | None] | None = None
    kwargs: Callable[[dict], dict] | None = None  # the page's URL arguments
    # What the POST makes where it adds no row (a stored file, the interview or the
    # service recorded on a row made before): the first POST changes it, the second
    # must not.
    made: Callable[[dict], object] | None = None


MISSING_IMPORT = (
    "police_reference,forename,surname,date_of_birth,gender,category,missing_from,"
    "reported_at,last_seen_at,returned_at,found_location,risk_level,notes\n"
    "TP/9,Zqxname,Zqxsurname,2011-02-03,female,missing,home,2020-03-01T20:00,"
    "2020-03-01T18:00,,Test Park,high,\n"
)

DELIVERY_IMPORT = (
    ",".join(IMPORT_COLUMNS) + "\n"
    "5,Prevention,5.1,Use data,Keep the profile,Profile,Insight,Head of CS,"
    "Analyst,Quarterly,,\n"
)

# Every view that creates rows by POST, by URL name.
CREATES: dict[str, Creates] = {
    # Records and what hangs off them
    "cse:child_create": Creates(
        "alice", data={"forename": "Testnew", "surname": "Childexample"}
    ),
    "cse:person_create": Creates("alice"),
    "cse:location_create": Creates("alice"),
    "cse:vehicle_create": Creates("alice"),
    "cse:alias_create": Creates("alice"),
    "cse:address_create": Creates("alice", data={"postcode": "TE1 1ST"}),
    "cse:phone_create": Creates("alice", data={"number": "0121 496 0001"}),
    "cse:warning_create": Creates("alice", data=_date(TODAY, "review_on")),
    "cse:category_create": Creates("alice"),
    "cse:flag_create": Creates("alice"),
    "cse:plan_create": Creates("alice", data={"kind": "child_in_need"}),
    "cse:link_create": Creates(
        "alice", data={"to_reference": _reference("location"), "kind": "frequents"}
    ),
    "cse:share_create": Creates("alice"),
    "cse:share_withdraw": Creates("alice", page="cse:sharing"),
    "cse:referral_create": Creates("alice"),
    "cse:break_glass_start": Creates("erin", data={"reference": _reference("person")}),
    "cse:import_children": Creates(
        "sam",
        data={
            "file": _csv(
                "children.csv",
                (FIXTURES / "children_good.csv").read_text(encoding="utf-8"),
            )
        },
    ),
    # Missing episodes and return-home interviews
    "missing:episode_create": Creates("alice"),
    "missing:interview_edit": Creates(
        "alice",
        made=lambda ids: _field("missing", "ReturnInterview", "completed_at", ids),
        data={
            "outcome": "accepted",
            **_datetime(NOW - datetime.timedelta(hours=3), "offered_at"),
            **_datetime(NOW - datetime.timedelta(hours=2), "completed_at"),
        },
    ),
    "missing:interview_share": Creates("alice"),
    "missing:interview_link": Creates(
        "alice", data={"reference": _reference("location")}
    ),
    "missing:import_upload": Creates(
        "carol", data={"file": _csv("reports.csv", MISSING_IMPORT)}
    ),
    "missing:queue_resolve": Creates(
        "carol",
        prepare=_queued_report,
        data={"action": "match", "reference": _reference("child")},
    ),
    # Screening
    "screening:start": Creates("alice"),
    "screening:correct": Creates("alice", page="screening:detail"),
    # Meetings
    "meetings:meeting_create": Creates("bob"),
    "meetings:triage_decide": Creates("bob", data={"decision": "accept"}),
    "meetings:note_create": Creates("bob"),
    "meetings:decision_create": Creates("bob"),
    "meetings:action_create": Creates("bob"),
    "meetings:action_detail": Creates("bob"),
    "meetings:attendance": Creates("bob"),
    "meetings:document_create": Creates("bob", page="meetings:meeting_detail"),
    "meetings:circulate": Creates("bob", page="meetings:meeting_detail"),
    # Disruption
    "disruption:cawn_create": Creates("dave"),
    "disruption:cawn_serve": Creates(
        "dave",
        prepare=_fresh_cawn,
        made=lambda ids: _field("disruption", "Cawn", "served_at", ids),
        data={
            **_datetime(NOW - datetime.timedelta(minutes=5), "served_at"),
            **_date(None, "review_on"),
        },
    ),
    "disruption:cawn_upload": Creates(
        "dave",
        page="disruption:cawn_detail",
        prepare=_served_cawn,
        data={
            "signed_copy": lambda ids: SimpleUploadedFile(
                "signed.pdf", _plain_pdf(), "application/pdf"
            )
        },
        made=_stored_files,
    ),
    "disruption:cawn_breach_create": Creates("dave", data=_date(TODAY, "occurred_on")),
    "disruption:tactic_create": Creates("alice"),
    "disruption:plan_create": Creates(
        "alice",
        kwargs=lambda ids: {"pk": ids["location"]},
        data={**_date(TODAY, "started_on"), **_date(None, "next_review_on")},
    ),
    "disruption:plan_review": Creates(
        "alice",
        data={
            **_date(TODAY, "reviewed_on"),
            **_date(None, "next_review_on"),
        },
    ),
    "disruption:report_create": Creates("alice"),
    "disruption:report_new_subject": Creates("ian", prepare=_justify_report),
    "disruption:report_attach": Creates(
        "ian",
        page="disruption:report_detail",
        prepare=_justify_report,
        data={"reference": _reference("location")},
    ),
    "disruption:report_link": Creates(
        "ian",
        page="disruption:report_detail",
        prepare=_attach_two,
        data={
            "from_subject": lambda ids: ids["person"],
            "to_subject": lambda ids: ids["location"],
            "kind": "frequents",
        },
    ),
    # Reports
    "reports:snapshot_create": Creates("carol", page="reports:dataset"),
    "reports:manual_entry": Creates("dave", data={"year": TODAY.year}),
    "reports:profile_gap_create": Creates(
        "carol", page="reports:profile", data={"year": TODAY.year}
    ),
    "reports:delivery_plan_create": Creates(
        "pam",
        data={
            **_date(TODAY, "period_start"),
            **_date(TODAY + datetime.timedelta(days=365), "period_end"),
        },
    ),
    "reports:delivery_objective_create": Creates("pam", data={"number": 2}),
    "reports:delivery_sub_objective_create": Creates("pam", data={"number": 2}),
    "reports:delivery_action_create": Creates("pam"),
    "reports:delivery_action_rag": Creates(
        "pam", data={"action_rag": "amber", "outcome_rag": "amber"}
    ),
    "reports:delivery_evidence_add": Creates("pam"),
    "reports:delivery_plan_import": Creates(
        "pam", data={"file": _csv("plan.csv", DELIVERY_IMPORT)}
    ),
    "reports:assessment_create": Creates("alice"),
    "reports:assessment_correct": Creates("alice"),
}

# Views with a POST form that create nothing new, with why. They carry the token
# too (every form does) and a repeat of one is answered the same way.
OTHER_POSTS = {
    "session_keep_alive": "extends the signed-in time, the same however often sent",
    "cse:child_edit": "changes the record",
    "cse:person_edit": "changes the record",
    "cse:location_edit": "changes the record",
    "cse:vehicle_edit": "changes the record",
    "cse:flag_remove": "ends a flag",
    "cse:link_end": "ends a link",
    "cse:notification_open": "marks a notification read and opens its page",
    "cse:search": "a search; the words are kept in the session, not the address",
    "cse:break_glass_end": "ends a grant early",
    "cse:break_glass_review": "records the coordinator's review on the grant",
    "missing:episode_edit": "changes the episode",
    "screening:start_fresh": "looks for the child before a draft is started",
    "screening:edit": "saves or submits the draft it is the form of",
    "screening:acknowledge": "marks a screening acknowledged",
    "screening:action_update": "changes the status of a screening's action",
    "meetings:item_move": "reorders the agenda",
    "meetings:item_remove": "takes an item off the agenda",
    "meetings:allow_late": "lets the agenda go out late",
    "meetings:action_close": "closes an action",
    "meetings:minutes_approve": "approves the minutes",
    "disruption:tactic_update": "changes the tactic",
    "disruption:plan_deselect": "ends the plan",
    "disruption:cawn_withdraw": "withdraws the notice",
    "disruption:report_grade": "grades the report",
    "disruption:report_actioned": "marks the report actioned",
    "disruption:report_detail": "the s.62 justification, kept in the session",
    "disruption:intelligence_log": "a CSV export",
    "reports:delivery_plan_edit": "changes the plan",
    "reports:delivery_objective_edit": "changes the objective",
    "reports:delivery_sub_objective_edit": "changes the sub-objective",
    "reports:delivery_action_edit": "changes the action",
}


def _plain_pdf() -> bytes:
    from tests import uploads

    return uploads.plain_pdf()


def _problems(body: str) -> list[str]:
    """The error messages' text of a page shown again."""
    return [
        re.sub(r"<[^>]+>|\s+", " ", text).strip()
        for text in re.findall(
            r"<(?:p|li|span)[^>]*govuk-error-message[^>]*>(.*?)</(?:p|li)>", body, re.S
        )
    ] or re.findall(r"<h1[^>]*>(.*?)</h1>", body, re.S)


def _exempt(view: str) -> bool:
    return view in EXEMPT_VIEWS or view.split(":")[0] in EXEMPT_NAMESPACES


def _view_of(action: str) -> str | None:
    try:
        return resolve(action.split("?")[0]).view_name
    except Resolver404:
        return None


def _clients(cast) -> dict[str, Client]:
    clients = {}
    for name, user in cast.items():
        clients[name] = Client()
        clients[name].force_login(user)
    return clients


def test_every_post_form_carries_a_token_and_its_view_is_stated(dataset, cast):
    clients = _clients(cast)
    unstated, untokened, pages = set(), set(), 0
    for route in all_routes():
        kwargs = kwargs_for(route, dataset)
        if kwargs is None:
            continue
        url = reverse(route.name, kwargs=kwargs)
        for client in clients.values():
            response = client.get(url)
            if response.status_code == 200:
                break
        else:
            continue
        if not is_html(response):
            continue
        pages += 1
        for form in parse(response.content.decode()).forms:
            action = same_site(form.action or url, url)
            if form.method != "post" or action is None:
                continue  # GET forms; the sign-out form (checked below)
            view = _view_of(action)
            if view is None or _exempt(view):
                continue
            if view not in CREATES and view not in OTHER_POSTS:
                unstated.add(view)
            if not any(f.get("name") == FIELD for f in form.fields):
                untokened.add((route.name, view))
    assert pages > 100
    assert not unstated, f"State whether these views create: {sorted(unstated)}"
    assert not untokened, f"POST forms without a one-time token: {sorted(untokened)}"


def test_the_stated_views_exist_and_are_stated_once():
    names = {route.name for route in all_routes()}
    stated = set(CREATES) | set(OTHER_POSTS)
    assert stated <= names, sorted(stated - names)
    assert not set(CREATES) & set(OTHER_POSTS)
    assert not {view for view in stated if _exempt(view)}


def _form_for(page_html: str, page: str, view: str) -> Form:
    for form in parse(page_html).forms:
        action = same_site(form.action or page, page)
        if form.method == "post" and action and _view_of(action) == view:
            return form
    raise AssertionError(f"No form posting to {view} on {page}")


def _data(form: Form, page: str, view: str, case: Creates, ids: dict, plain: set):
    target = Target(0, page, form.action or page, view, case.user, form)
    data = fill(
        target,
        lambda index, f: fallback(f["name"]) if f["name"] in plain else "Test value",
    )
    for name, value in case.data.items():
        data[name] = value(ids) if callable(value) else value
    return data


@pytest.mark.parametrize("view", sorted(CREATES))
def test_a_create_form_sent_twice_saves_once(view, dataset, cast):
    case = CREATES[view]
    client = Client()
    client.force_login(cast[case.user])
    ids = dataset
    if case.prepare:
        ids = case.prepare(client, ids) or ids
    page_name = case.page or view
    route = next(r for r in all_routes() if r.name == page_name)
    page = reverse(
        page_name, kwargs=case.kwargs(ids) if case.kwargs else kwargs_for(route, ids)
    )
    shown = client.get(page)
    assert shown.status_code == 200, (page, shown.status_code)
    form = _form_for(shown.content.decode(), page, view)
    token = next((f["value"] for f in form.fields if f.get("name") == FIELD), None)
    assert token, f"The form to {view} has no one-time token"
    action = same_site(form.action or page, page)

    plain: set[str] = set()
    before, made_before = row_counts(), case.made(ids) if case.made else None
    for _attempt in range(4):
        data = {**_data(form, page, view, case, ids, plain), FIELD: token}
        first = client.post(action, data)
        if first.status_code != 200:
            break
        wrong = errored_fields(first.content.decode()) - plain
        assert wrong, (view, _problems(first.content.decode()))
        plain |= wrong  # the same token again: a form with errors keeps it
    assert first.status_code == 302, (view, first.status_code, messages_of(first))
    assert not said_already_saved(first), view
    made = changed(before, row_counts())
    if case.made:
        assert case.made(ids) != made_before, f"{view} saved nothing"
    else:
        assert set(made) - BOOKKEEPING, f"{view} saved nothing: {made}"

    before, made_before = row_counts(), case.made(ids) if case.made else None
    second = client.post(
        action, {**_data(form, page, view, case, ids, plain), FIELD: token}
    )
    assert second.status_code == 302, (view, second.status_code)
    assert second["Location"] == first["Location"]
    assert said_already_saved(second), view
    assert changed(before, row_counts()) == {}, view
    assert (case.made(ids) if case.made else None) == made_before, view
    # What is kept of the first answer is its own-site path, naming records by id.
    (claim,) = SubmissionToken.objects.filter(user=cast[case.user])
    assert claim.location == first["Location"]
    match = resolve(urlsplit(claim.location).path)
    assert all(isinstance(v, int) or v in SLUGS for v in match.kwargs.values())
    assert not markers_in(claim.location), claim.location
