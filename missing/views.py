"""Pages for missing episodes and return-home interviews.

Every view has the same shape: fetch through cse.permissions (404 for a record the
user may not see), check the right to change (403), bind the form, call the service,
message, redirect.
"""

from __future__ import annotations

import copy
import datetime
import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cse import audit, concurrency, permissions
from cse import services as core
from cse.csv_export import SafeWriter
from cse.dates import LONDON
from cse.downloads import csv_attachment
from cse.importing import ImportRejected
from cse.models import AuditEvent, Child, Link, Role, Subject
from cse.stepup import step_up_required
from cse.views.common import open_subject, tabs_for
from missing import forms, services
from missing import permissions as access
from missing.importing import import_reports, read_text
from missing.models import (
    MissingEpisode,
    PatternRule,
    ReturnInterview,
)

Action = AuditEvent.Action
UPLOAD_ROW_LIMIT = 5000
_REFERENCE = re.compile(r"^\s*([CPLV])-?0*(\d+)\s*$", re.IGNORECASE)


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _episode_for(request: HttpRequest, pk: int) -> MissingEpisode:
    """An episode inherits its child's visibility: 404 for anyone who cannot see it."""
    episode = (
        access.visible_episodes(request.user)
        .select_related("child__owner_agency", "owner_agency", "recorded_by")
        .filter(pk=pk)
        .first()
    )
    if episode is None:
        raise Http404("No such record")
    return episode


def _record_page(request, child: Child) -> dict:
    return {"subject": child, "child": child, "tabs": tabs_for(request, child)}


# --- the child's Missing tab and episodes ------------------------------------------------


def child_missing(request: HttpRequest, pk: int) -> HttpResponse:
    child = open_subject(request, Child, pk)
    episodes = list(
        child.missing_episodes.select_related("interview", "owner_agency").order_by(
            "-started_at", "-pk"
        )
    )
    context = _record_page(request, child)
    context.update(
        {
            "episodes": episodes,
            "matches": list(child.missing_pattern_matches.all()),
            "can_add": permissions.can_add_to(request.user, child),
            "now": timezone.now(),
        }
    )
    return render(request, "missing/child_missing.html", context)


@require_http_methods(["GET", "POST"])
def episode_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = open_subject(request, Child, pk, audit_view=False)
    permissions.require(permissions.can_add_to(request.user, child))
    form = forms.EpisodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            episode = services.record_episode(
                by=request.user, child=child, fields=form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Episode recorded")
            return redirect("missing:episode_detail", episode.pk)
    return render(
        request,
        "missing/episode_form.html",
        {
            "form": form,
            "subject": child,
            "title": "Record a missing or absent episode",
            "back": reverse("missing:child_missing", args=[child.pk]),
        },
    )


def episode_detail(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _episode_for(request, pk)
    child = episode.child
    audit.record(
        by=request.user,
        action=Action.VIEW,
        obj=episode,
        subject=child,
        summary=request.path,
    )
    interview = access.interview_of(request.user, episode)
    links = (
        list(
            permissions.visible_links(request.user)
            .filter(
                from_subject=child,
                source=Link.Source.RETURN_INTERVIEW,
                source_detail=f"Return-home interview {episode.pk}",
            )
            .select_related("to_subject")
        )
        if interview
        else []
    )
    context = _record_page(request, child)
    context.update(
        {
            "episode": episode,
            "interview": interview,
            "links": links,
            "can_add": permissions.can_add_to(request.user, child),
            "can_share": permissions.can_share(request.user, child),
            "now": timezone.now(),
        }
    )
    return render(request, "missing/episode_detail.html", context)


@require_http_methods(["GET", "POST"])
def episode_edit(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _episode_for(request, pk)
    permissions.require(permissions.can_add_to(request.user, episode.child))
    # The form edits a copy: the service compares the episode before and after.
    form = forms.EpisodeForm(request.POST or None, instance=copy.copy(episode))
    context = {
        "subject": episode.child,
        "title": "Change a missing or absent episode",
        "back": reverse("missing:episode_detail", args=[episode.pk]),
    }
    if request.method == "POST" and form.is_valid():
        try:
            with concurrency.saving(form):
                services.update_episode(
                    by=request.user, episode=episode, fields=form.cleaned_data
                )
        except concurrency.EditConflict as conflict:
            return concurrency.conflict_response(
                request,
                conflict,
                "missing/episode_form.html",
                context,
                subject=episode.child_id,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Episode updated")
            return redirect("missing:episode_detail", episode.pk)
    return render(request, "missing/episode_form.html", {**context, "form": form})


def _interview_for(request: HttpRequest, pk: int) -> ReturnInterview:
    episode = _episode_for(request, pk)
    interview = access.interview_of(request.user, episode)
    if interview is None:
        raise Http404("No interview: the child has not returned")
    return interview


@require_http_methods(["GET", "POST"])
def interview_edit(request: HttpRequest, pk: int) -> HttpResponse:
    interview = _interview_for(request, pk)
    permissions.require(permissions.can_add_to(request.user, interview.child))
    form = forms.InterviewForm(request.POST or None, instance=copy.copy(interview))
    context = {
        "subject": interview.child,
        "interview": interview,
        "title": "Return-home interview",
        "back": reverse("missing:episode_detail", args=[pk]),
    }
    if request.method == "POST" and form.is_valid():
        try:
            with concurrency.saving(form):
                services.record_interview(
                    by=request.user, interview=interview, fields=form.cleaned_data
                )
        except concurrency.EditConflict as conflict:
            return concurrency.conflict_response(
                request,
                conflict,
                "missing/interview_form.html",
                context,
                subject=interview.child_id,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Return-home interview saved")
            return redirect("missing:episode_detail", pk)
    return render(request, "missing/interview_form.html", {**context, "form": form})


@require_http_methods(["GET", "POST"])
@step_up_required
def interview_share(request: HttpRequest, pk: int) -> HttpResponse:
    interview = _interview_for(request, pk)
    permissions.require(permissions.can_share(request.user, interview.child))
    agencies = services.police_agencies(request.user.agency.local_area_id)
    form = forms.ShareInterviewForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            services.share_interview(
                by=request.user, interview=interview, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Interview shared with police intelligence")
            return redirect("missing:episode_detail", pk)
    return render(
        request,
        "missing/simple_form.html",
        {
            "form": form,
            "subject": interview.child,
            "title": "Share the interview with police intelligence",
            "back": reverse("missing:episode_detail", args=[pk]),
            "button": "Record the share",
        },
    )


@require_http_methods(["GET", "POST"])
def interview_link(request: HttpRequest, pk: int) -> HttpResponse:
    interview = _interview_for(request, pk)
    child = interview.child
    permissions.require(permissions.can_add_to(request.user, child))
    form = forms.LinkFromInterviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = _subject_by_reference(request, form.cleaned_data["reference"])
        if target is None or target.kind not in {
            Subject.Kind.LOCATION,
            Subject.Kind.PERSON,
        }:
            form.add_error(
                "reference", "Enter the reference of a place or person you can see"
            )
        else:
            kind = (
                Link.Kind.FREQUENTS
                if target.kind == Subject.Kind.LOCATION
                else Link.Kind.SEEN_WITH
            )
            try:
                core.create_link(
                    by=request.user,
                    from_subject=child,
                    to_subject=target,
                    kind=kind,
                    source=Link.Source.RETURN_INTERVIEW,
                    source_detail=f"Return-home interview {interview.episode_id}",
                    confidence=Link.Confidence.UNVERIFIED,
                    last_seen=interview.episode.started_at.astimezone(LONDON).date(),
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"Linked to {target.reference}")
                return redirect("missing:episode_detail", pk)
    return render(
        request,
        "missing/simple_form.html",
        {
            "form": form,
            "subject": child,
            "title": "Link a place or person named in the interview",
            "back": reverse("missing:episode_detail", args=[pk]),
            "button": "Link",
        },
    )


def _subject_by_reference(request: HttpRequest, text: str) -> Subject | None:
    found = _REFERENCE.match(text)
    if not found:
        return None
    kind = {"C": "child", "P": "person", "L": "location", "V": "vehicle"}[
        found.group(1).upper()
    ]
    return (
        permissions.visible(request.user, Subject)
        .filter(pk=int(found.group(2)), kind=kind)
        .first()
    )


# --- lists --------------------------------------------------------------------------


def interviews_due(request: HttpRequest) -> HttpResponse:
    """Open interviews held by the user's agency: overdue first, then by deadline."""
    permissions.require(permissions.sees_records(request.user))
    interviews = access.interviews_for_agency(request.user).select_related(
        "child", "episode", "responsible_worker"
    )
    page = Paginator(interviews.order_by("due_at", "pk"), 50).get_page(
        request.GET.get("page")
    )
    audit.record_many(
        by=request.user,
        action=Action.LIST,
        subjects=[i.child for i in page.object_list],
        summary="return-home interviews due",
    )
    return render(
        request,
        "missing/interviews_due.html",
        {"page_obj": page, "now": timezone.now()},
    )


def compliance(request: HttpRequest) -> HttpResponse:
    """Aggregates: interviews completed within 72 hours, per agency and per area."""
    user = request.user
    permissions.require(
        permissions.sees_records(user) or user.has_role(Role.PARTNERSHIP_MANAGER)
    )
    form = forms.AsOfForm(request.GET or None)
    until_day = form.cleaned_data["as_of"] if form.is_valid() else timezone.localdate()
    since_day = until_day - datetime.timedelta(days=90)
    since = datetime.datetime.combine(since_day, datetime.time.min, tzinfo=LONDON)
    until = datetime.datetime.combine(
        until_day + datetime.timedelta(days=1), datetime.time.min, tzinfo=LONDON
    )
    by_agency, by_area = services.compliance(since=since, until=until)
    return render(
        request,
        "missing/compliance.html",
        {
            "form": form,
            "by_agency": by_agency,
            "by_area": by_area,
            "since": since_day,
            "until": until_day,
        },
    )


@step_up_required(
    when=lambda request: request.GET.get("format") == "csv", download=True
)
def cmog_list(request: HttpRequest) -> HttpResponse:
    """Children meeting the CMOG missing criteria as at a date, in the page or CSV;
    only children the user can see."""
    permissions.require(access.may_administer_reports(request.user))
    form = forms.AsOfForm(request.GET or None)
    rows = []
    as_of = None
    if form.is_valid():
        as_of = form.cleaned_data["as_of"]
        rows = services.cmog_list(viewer=request.user, as_of_day=as_of)
        if request.GET.get("format") == "csv":
            audit.record(
                by=request.user,
                action=Action.EXPORT,
                summary=f"CMOG missing list as at {as_of}",
                detail={"subject_ids": sorted({r.child.pk for r in rows})},
            )
            response = csv_attachment(f"cmog-missing-{as_of:%Y-%m-%d}.csv")
            write_cmog_csv(response, rows)
            return response
        audit.record(
            by=request.user,
            action=Action.LIST,
            summary=f"CMOG missing list as at {as_of}",
            detail={"subject_ids": sorted({r.child.pk for r in rows})},
        )
    return render(
        request,
        "missing/cmog_list.html",
        {
            "form": form,
            "rows": rows,
            "as_of": as_of,
            "labels": dict(PatternRule.choices),
            "query": request.GET.urlencode(),
        },
    )


CMOG_HEADER = [
    "child_id",
    "forename",
    "surname",
    "date_of_birth",
    "rule",
    "first_met_at",
]


def write_cmog_csv(stream, rows) -> None:
    writer = SafeWriter(stream)
    writer.writerow(CMOG_HEADER)
    for row in rows:
        writer.writerow(
            [
                row.child.pk,
                row.child.forename,
                row.child.surname,
                row.child.date_of_birth.isoformat() if row.child.date_of_birth else "",
                row.rule,
                iso_utc(row.first_met_at),
            ]
        )


def iso_utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- police import and the matching queue -----------------------------------------


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    permissions.require(access.may_administer_reports(request.user))
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        if content.count(b"\n") > UPLOAD_ROW_LIMIT:
            form.add_error(
                "file",
                f"The file has more than {UPLOAD_ROW_LIMIT:,} rows: ask for it to be imported with the import_missing_reports command",
            )
        else:
            try:
                report = import_reports(
                    text=read_text(content),
                    by=request.user,
                    area=request.user.agency.local_area,
                )
            except ImportRejected as rejected:
                row_errors = rejected.errors
                form.add_error(
                    "file",
                    f"The file has {len(row_errors)} problems and nothing was imported",
                )
            else:
                messages.success(
                    request,
                    f"{report.created} new episodes, {report.updated} updated, "
                    f"{report.unchanged} unchanged, {report.queued} held for matching",
                )
                return redirect("missing:queue")
    return render(
        request,
        "missing/import_upload.html",
        {"form": form, "row_errors": row_errors},
    )


def queue(request: HttpRequest) -> HttpResponse:
    permissions.require(access.may_administer_reports(request.user))
    items = list(access.queue_items(request.user)[:200])
    audit.record(
        by=request.user,
        action=Action.LIST,
        summary="police missing reports held for matching",
        detail={"items": [i.pk for i in items]},
    )
    return render(request, "missing/queue.html", {"items": items})


@require_http_methods(["GET", "POST"])
def queue_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require(access.may_administer_reports(request.user))
    item = get_object_or_404(access.queue_items(request.user), pk=pk)
    candidates = list(
        permissions.visible_children(request.user).filter(pk__in=item.candidate_ids)
    )
    form = forms.ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        child = None
        if form.cleaned_data["action"] == "match":
            child = _subject_by_reference(request, form.cleaned_data["reference"])
            if child is None or child.kind != Subject.Kind.CHILD:
                form.add_error(
                    "reference", "Enter the reference of a child record you can see"
                )
            else:
                child = child.specific
        if not form.errors:
            try:
                episode = services.resolve_queue_item(
                    by=request.user, item=item, child=child
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Report {item.police_reference} recorded on {episode.child.reference}",
                )
                return redirect("missing:queue")
    audit.record(by=request.user, action=Action.VIEW, obj=item, summary=request.path)
    return render(
        request,
        "missing/queue_resolve.html",
        {"form": form, "item": item, "candidates": candidates},
    )
