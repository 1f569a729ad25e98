"""Break-glass pages: open a record another agency holds, by its reference, for an
emergency; and the owning agency's coordinators' review of each such access."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cse import audit, break_glass, forms, permissions
from cse.models import AuditEvent, BreakGlass, Role, Subject
from cse.stepup import step_up_required
from cse.views.common import detail_url

NO_RECORD = "There is no record with that reference"


@require_http_methods(["GET", "POST"])
def break_glass_start(request: HttpRequest) -> HttpResponse:
    """Ask for a reference and say only whether a record has it. Nothing about the
    record (its name, who holds it) is shown before a grant is made."""
    permissions.require(break_glass.may_break_glass(request.user))
    form = forms.BreakGlassLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["reference"].strip().upper()
        subject = break_glass.find_by_reference(reference)
        audit.record(
            by=request.user,
            action=AuditEvent.Action.SEARCH,
            subject=subject,
            summary="break-glass reference look-up",
            detail={"reference": reference, "found": subject is not None},
        )
        if subject is None:
            form.add_error("reference", NO_RECORD)
        elif permissions.holds_access(request.user, subject) or (
            permissions.active_break_glass(request.user, subject.pk)
        ):
            return redirect(detail_url(subject))
        else:
            return redirect("cse:break_glass_request", pk=subject.pk)
    grants = BreakGlass.objects.filter(user=request.user).select_related("subject")[:20]
    now = timezone.now()
    return render(
        request,
        "cse/break_glass_start.html",
        {
            "form": form,
            "grants": [
                (grant, detail_url(grant.subject) if grant.expires_at > now else "")
                for grant in grants
            ],
            "minutes": int(break_glass.duration().total_seconds() // 60),
        },
    )


@require_http_methods(["GET", "POST"])
@step_up_required
def break_glass_request(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require(break_glass.may_break_glass(request.user))
    subject = Subject.objects.filter(pk=pk).first()
    if subject is None:
        raise Http404("No such record")
    if permissions.holds_access(request.user, subject) or (
        permissions.active_break_glass(request.user, subject.pk)
    ):
        return redirect(detail_url(subject))
    form = forms.BreakGlassReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            break_glass.open_break_glass(
                by=request.user,
                subject=subject,
                reason_category=form.cleaned_data["reason_category"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The record's pages say so in their break-glass banner (with "End
            # access now") for as long as the grant is in force.
            return redirect(detail_url(subject))
    return render(
        request,
        "cse/break_glass_request.html",
        {
            "form": form,
            "reference": subject.reference,
            "kind": subject.get_kind_display(),
            "minutes": int(break_glass.duration().total_seconds() // 60),
        },
    )


@require_POST
def break_glass_end(request: HttpRequest, pk: int) -> HttpResponse:
    """The holder ends their own grant early; anyone else, or a grant already over,
    gets 404 (a grant is not a page to be told about)."""
    grant = (
        BreakGlass.objects.filter(
            pk=pk, user_id=request.user.pk, expires_at__gt=timezone.now()
        )
        .select_related("subject")
        .first()
    )
    if grant is None:
        raise Http404("No such access")
    try:
        break_glass.end_break_glass(by=request.user, grant=grant)
    except ValidationError:
        raise Http404("No such access") from None
    messages.success(
        request,
        f"Break-glass access {grant.reference} ended. Record {grant.subject.reference} "
        "is closed to you again.",
    )
    return redirect("cse:home")


def break_glass_reviews(request: HttpRequest) -> HttpResponse:
    permissions.require(
        request.user.has_role(Role.CSE_COORDINATOR)
        and permissions.sees_records(request.user)
    )
    grants = BreakGlass.objects.filter(owner_agency_id=request.user.agency_id)
    pending = list(
        grants.filter(review=BreakGlass.Review.PENDING).select_related(
            "subject", "user", "agency"
        )
    )
    reviewed = list(
        grants.exclude(review=BreakGlass.Review.PENDING).select_related(
            "subject", "user", "agency", "reviewed_by"
        )[:50]
    )
    return render(
        request,
        "cse/break_glass_reviews.html",
        {"pending": pending, "reviewed": reviewed},
    )


@require_http_methods(["GET", "POST"])
def break_glass_review(request: HttpRequest, pk: int) -> HttpResponse:
    grant = (
        BreakGlass.objects.filter(pk=pk, owner_agency_id=request.user.agency_id)
        .select_related("subject", "user", "agency", "reviewed_by")
        .first()
    )
    if grant is None or not permissions.sees_records(request.user):
        raise Http404("No such access")
    permissions.require(break_glass.may_review(request.user, grant))
    form = forms.BreakGlassReviewForm(request.POST or None)
    if (
        request.method == "POST"
        and grant.review == BreakGlass.Review.PENDING
        and form.is_valid()
    ):
        try:
            break_glass.review_break_glass(
                by=request.user,
                grant=grant,
                outcome=form.cleaned_data["outcome"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{grant.reference} reviewed")
            return redirect("cse:break_glass_reviews")
    events = list(
        AuditEvent.objects.filter(break_glass=grant).order_by("at", "pk")[:500]
    )
    audit.record(
        by=request.user,
        action=AuditEvent.Action.VIEW_AUDIT,
        obj=grant,
        subject=grant.subject_id,
        summary=f"{grant.reference} review",
    )
    return render(
        request,
        "cse/break_glass_review.html",
        {
            "grant": grant,
            "form": form,
            "events": events,
            "record_url": detail_url(grant.subject),
        },
    )
