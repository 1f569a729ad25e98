"""Every form that changes an existing record carries the version it was read at
(cse.concurrency), so a save from a form someone else has overtaken is refused.

Two claims, over the marker data set:

* Walking the URL resolver, every edit view (a URL name ending in `edit`, `update`
  or `correct`, a class-based UpdateView, a view binding a form to an existing row
  with `instance=`, or one saving through `concurrency.saving`) shows its form
  with the version, to someone who may use it. A view added later is walked too.
* For each kind of edit form, a save from a stale form gets the conflict page
  (status 409) naming the field that changed, and saves nothing; from a fresh form
  the same save goes through.
"""

from __future__ import annotations

import datetime
import inspect
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone
from django.views.generic.edit import UpdateView

from tests.page_forms import VERSION, edit_form, forms_on, submitted
from tests.security.conftest import all_routes, kwargs_for
from tests.uploads import pdf

pytestmark = pytest.mark.django_db

EDIT_SUFFIXES = ("edit", "update", "correct")

# Steps whose form sits on another page (a record's detail page): that page, and
# what of the data set it names.
HOSTS = {
    "screening:action_update": ("screening:detail", lambda i: {"pk": i["screening"]}),
    "disruption:cawn_withdraw": ("disruption:cawn_detail", lambda i: {"pk": i["cawn"]}),
    "disruption:cawn_upload": ("disruption:cawn_detail", lambda i: {"pk": i["cawn"]}),
    "disruption:report_actioned": (
        "disruption:report_detail",
        lambda i: {"pk": i["report"]},
    ),
    "meetings:action_close": (
        "meetings:action_detail",
        lambda i: {"pk": i["meeting"], "action_pk": i["action"]},
    ),
}
# Edit views with no form to version, and why.
NOT_EDIT_FORMS = {
    "screening:correct": "starts a new draft from a submitted screening, which is "
    "never changed; a second correction is refused",
    "screening:autosave": "the screening form's own script posts it as the user "
    "moves between sections, with the version of screening:edit's form, and gets "
    "the new version back (tests/screening/test_autosave.py)",
}
# Who may use each edit form, for the views the first caseworker cannot.
EDITORS = {
    "disruption:cawn_serve": "dave",
    "disruption:cawn_withdraw": "dave",
    "disruption:cawn_upload": "dave",
    "disruption:report_grade": "ian",
    "disruption:report_actioned": "ian",
    "meetings:action_close": "chris",
    "reports:delivery_plan_edit": "pam",
    "reports:delivery_objective_edit": "pam",
    "reports:delivery_sub_objective_edit": "pam",
    "reports:delivery_action_edit": "pam",
    "reports:delivery_action_rag": "pam",
}


def _source(callback) -> str:
    view = inspect.unwrap(callback)
    if hasattr(callback, "view_class"):
        view = callback.view_class
    try:
        return inspect.getsource(view)
    except (OSError, TypeError):
        return ""


def _callbacks() -> dict[str, object]:
    """URL name (namespaced) -> view callback, over the whole resolver."""
    found = {}

    def walk(resolver, prefix: str) -> None:
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                if pattern.app_name == "admin":
                    continue
                namespace = pattern.namespace
                walk(pattern, f"{prefix}{namespace}:" if namespace else prefix)
            elif pattern.name:
                found[prefix + pattern.name] = pattern.callback

    walk(get_resolver(), "")
    return found


def edit_views() -> list[str]:
    """The URL names of every view that changes an existing row through a form."""
    names = []
    for name, callback in _callbacks().items():
        source = _source(callback)
        view_class = getattr(callback, "view_class", None)
        if (
            name.endswith(EDIT_SUFFIXES)
            or (view_class is not None and issubclass(view_class, UpdateView))
            or "instance=" in source
            or "concurrency.saving" in source
            or "_saving(" in source
        ):
            names.append(name)
    return sorted(names)


@pytest.fixture
def ids(cast, dataset):
    """The data set, with every edit form on show: the report graded (so it may be
    marked actioned), the notice's signed copy not yet uploaded, and a notice
    issued but not served."""
    from disruption import services as disruption
    from disruption.models import Cawn, IntelligenceReport

    report = IntelligenceReport.objects.get(pk=dataset["report"])
    disruption.grade_report(
        by=cast["ian"],
        report=report,
        source_evaluation="2",
        assessment="B",
        handling_code="P",
        handling_conditions="",
        sanitised_text="",
    )
    Cawn.objects.filter(pk=dataset["cawn"]).update(signed_copy="", signed_copy_type="")
    served = Cawn.objects.get(pk=dataset["cawn"])
    issued = disruption.issue_cawn(
        by=cast["dave"],
        person=served.person,
        child=served.child,
        issue_date=timezone.localdate(),
        child_name="Zqxname Zqxsurname",
        parental_responsibility="Testmother Zqxsurname",
        recipient_name="Zqxperson Zqxvillain",
        recipient_date_of_birth=datetime.date(1980, 4, 5),
        recipient_address="1 Zqxstreet, Testtown, ZZ9 9ZZ",
    )
    return {**dataset, "issued_cawn": issued.pk}


# The page of an edit view whose record the resolver walk would not pick.
PAGE_KWARGS = {"disruption:cawn_serve": lambda i: {"pk": i["issued_cawn"]}}


def test_the_walk_finds_the_edit_views_of_every_app():
    found = set(edit_views())
    assert {
        "cse:child_edit",
        "cse:person_edit",
        "cse:location_edit",
        "cse:vehicle_edit",
        "missing:episode_edit",
        "missing:interview_edit",
        "screening:edit",
        "screening:action_update",
        "disruption:tactic_update",
        "disruption:plan_review",
        "disruption:plan_deselect",
        "disruption:cawn_serve",
        "disruption:report_grade",
        "meetings:action_close",
        "reports:delivery_plan_edit",
        "reports:delivery_action_edit",
        "reports:delivery_action_rag",
        "reports:assessment_correct",
    } <= found
    # Create views are not edit views.
    assert not {"cse:child_create", "missing:episode_create"} & found


def _justify(client: Client, report_pk: int) -> None:
    """Give the s.62 purpose for opening a police intelligence report."""
    client.post(
        reverse("disruption:report_detail", args=[report_pk]),
        {"step": "justify", "purpose": "grading", "justification": "Grading it"},
    )


def _page_of(name: str, ids: dict) -> tuple[str, str | None]:
    """The page showing the view's form, and the form's action if elsewhere."""
    if name in HOSTS:
        host, kwargs = HOSTS[name]
        route = next(r for r in all_routes() if r.name == name)
        action = reverse(name, kwargs=kwargs_for(route, ids))
        return reverse(host, kwargs=kwargs(ids)), action
    if name in PAGE_KWARGS:
        return reverse(name, kwargs=PAGE_KWARGS[name](ids)), None
    route = next(r for r in all_routes() if r.name == name)
    kwargs = kwargs_for(route, ids)
    assert kwargs is not None, f"{name}: add its URL arguments to tests/security"
    return reverse(name, kwargs=kwargs), None


def test_every_edit_view_shows_its_form_with_the_version(cast, ids):
    missing = []
    for name in edit_views():
        if name in NOT_EDIT_FORMS:
            continue
        page, action = _page_of(name, ids)
        client = Client()
        client.force_login(cast[EDITORS.get(name, "alice")])
        if name.startswith("disruption:report"):
            _justify(client, ids["report"])
        response = client.get(page)
        forms = [
            form
            for form in forms_on(response)
            if action is None or form.action == action
        ]
        versioned = [
            form for form in forms if any(f["name"] == VERSION for f in form.fields)
        ]
        if response.status_code != 200 or not versioned:
            missing.append((name, page, response.status_code))
    assert not missing, "\n".join(map(str, missing))


# --- stale and fresh, form by form ---------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One edit form: who uses it, what another person's save changes (a model, the
    data set's key for the row, a column and its new value, shown in the conflict),
    and what the form needs filled in to be saved."""

    view: str
    editor: str
    model: str
    row: str
    column: str
    value: object
    shown: str
    fill: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)


def _later(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


CASES = [
    Case("cse:child_edit", "alice", "cse.Child", "child", "known_as", "Zed", "Zed"),
    Case(
        "cse:person_edit",
        "alice",
        "cse.PersonOfInterest",
        "person",
        "nickname",
        "Zeddy",
        "Zeddy",
    ),
    Case(
        "cse:location_edit",
        "alice",
        "cse.Location",
        "location",
        "description",
        "Behind the shops",
        "Behind the shops",
    ),
    Case(
        "cse:vehicle_edit", "alice", "cse.Vehicle", "vehicle", "colour", "Teal", "Teal"
    ),
    Case(
        "missing:episode_edit",
        "alice",
        "missing.MissingEpisode",
        "episode",
        "notes",
        "Found at a friend's",
        "Found at a friend",
    ),
    Case(
        "missing:interview_edit",
        "alice",
        "missing.ReturnInterview",
        "episode",  # the interview of the episode (see _row)
        "where_went",
        "A park",
        "A park",
    ),
    Case(
        "screening:edit",
        "alice",
        "screening.Screening",
        "draft",
        "rationale",
        "Changed in another tab",
        "Changed in another tab",
    ),
    Case(
        "screening:action_update",
        "alice",
        "screening.ScreeningAction",
        "screening_action",
        "notes",
        "Phoned the school",
        "Phoned the school",
        fill={"status": "done"},
    ),
    Case(
        "disruption:tactic_update",
        "alice",
        "disruption.DisruptionTactic",
        "tactic",
        "outcome",
        "Premises closed",
        "Premises closed",
    ),
    Case(
        "disruption:plan_review",
        "alice",
        "disruption.Plan",
        "plan",
        "next_review_on",
        _later(40),
        f"{_later(40):%-d %B %Y}",
        fill={"progress": "Contact reduced"},
    ),
    Case(
        "disruption:plan_deselect",
        "alice",
        "disruption.Plan",
        "plan",
        "deselection_reason",
        "Written elsewhere",
        "Written elsewhere",
        fill={"reason": "Exit criteria met"},
    ),
    Case(
        "disruption:report_grade",
        "ian",
        "disruption.IntelligenceReport",
        "report",
        "sanitised_text",
        "A car collects a child",
        "A car collects a child",
        fill={"source_evaluation": "2", "assessment": "B", "handling_code": "P"},
    ),
    Case(
        "disruption:cawn_serve",
        "dave",
        "disruption.Cawn",
        "issued_cawn",
        "review_on",
        _later(30),
        f"{_later(30):%-d %B %Y}",
        fill={
            "served_at_0": str(timezone.localdate().day),
            "served_at_1": str(timezone.localdate().month),
            "served_at_2": str(timezone.localdate().year),
            "served_at_3": "00:01",
            "photograph_shown": "yes",
            "signature": "signed",
        },
    ),
    Case(
        "disruption:report_actioned",
        "ian",
        "disruption.IntelligenceReport",
        "report",
        "action_taken",
        "Patrols tasked elsewhere",
        "Patrols tasked elsewhere",
        fill={"action_taken": "Patrols tasked"},
    ),
    Case(
        "disruption:cawn_withdraw",
        "dave",
        "disruption.Cawn",
        "cawn",
        "end_reason",
        "Noted elsewhere",
        "Noted elsewhere",
        fill={"reason": "Moved out of the area"},
    ),
    Case(
        "disruption:cawn_upload",
        "dave",
        "disruption.Cawn",
        "cawn",
        "status",
        "expired",
        "Expired",
        files={"signed_copy": pdf},
    ),
    Case(
        "meetings:action_close",
        "chris",
        "meetings.Action",
        "action",
        "closure_note",
        "Noted by the chair",
        "Noted by the chair",
        fill={"status": "completed"},
    ),
    Case(
        "reports:delivery_plan_edit",
        "pam",
        "reports.DeliveryPlan",
        "delivery_plan",
        "title",
        "Renamed plan",
        "Renamed plan",
    ),
    Case(
        "reports:delivery_objective_edit",
        "pam",
        "reports.DeliveryObjective",
        "delivery_objective",
        "description",
        "Reworded",
        "Reworded",
    ),
    Case(
        "reports:delivery_sub_objective_edit",
        "pam",
        "reports.DeliverySubObjective",
        "delivery_sub_objective",
        "text",
        "Reworded sub-objective",
        "Reworded sub-objective",
    ),
    Case(
        "reports:delivery_action_edit",
        "pam",
        "reports.DeliveryAction",
        "delivery_action",
        "evidence",
        "Training records",
        "Training records",
    ),
    Case(
        "reports:delivery_action_rag",
        "pam",
        "reports.DeliveryAction",
        "delivery_action",
        "outcome_rag",
        "red",
        "Red",
        fill={"action_rag": "amber", "comment": "Behind plan"},
    ),
]


def _row(case: Case, ids: dict):
    from django.apps import apps

    model = apps.get_model(case.model)
    if case.model == "missing.ReturnInterview":
        return model.objects.filter(episode_id=ids["episode"])
    return model._base_manager.filter(pk=ids[case.row])


def _open(case: Case, cast, ids):
    client = Client()
    client.force_login(cast[case.editor])
    if case.view.startswith("disruption:report"):
        _justify(client, ids["report"])
    page, action = _page_of(case.view, ids)
    response = client.get(page)
    assert response.status_code == 200, (case.view, response.status_code)
    form = edit_form(response, action=action)
    return client, action or page, form


def _post(client, url, form, case: Case):
    data = submitted(form, **{k: str(v) for k, v in case.fill.items()})
    for name, content in case.files.items():
        data[name] = SimpleUploadedFile("scan.pdf", content(), "application/pdf")
    return client.post(url, data)


@pytest.mark.parametrize("case", CASES, ids=[case.view for case in CASES])
def test_a_stale_form_gets_the_conflict_and_a_fresh_one_saves(case, cast, ids):
    client, url, stale = _open(case, cast, ids)
    _row(case, ids).update(**{case.column: case.value})
    before = list(_row(case, ids).values())

    response = _post(client, url, stale, case)
    assert response.status_code == 409, (case.view, response.status_code)
    page = response.content.decode()
    changes = page.split('id="edit-conflict-changes"')[1].split("</table>")[0]
    assert case.shown in changes.replace("&#x27;", "'"), changes
    assert list(_row(case, ids).values()) == before  # nothing saved

    client, url, fresh = _open(case, cast, ids)
    response = _post(client, url, fresh, case)
    assert response.status_code == 302, (
        case.view,
        response.status_code,
        response.context
        and response.context.get("form")
        and response.context["form"].errors,
    )


def test_every_versioned_edit_view_has_a_stale_and_fresh_case():
    """A new edit form is added to CASES (or shown why it cannot be)."""
    covered = {case.view for case in CASES}
    elsewhere = {
        # A correction is a new assessment replacing the one in force, so another's
        # correction is not an update of a column: tests/reports/test_outcomes.py
        "reports:assessment_correct": "tests/reports",
    }
    assert set(edit_views()) - covered - set(elsewhere) - set(NOT_EDIT_FORMS) == set()
