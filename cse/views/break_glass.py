"""Break-glass pages: open a record another agency holds, by the reference that
agency gave, for an emergency; and the owning agency's coordinators' review of each
such access.

One page takes the whole request (reference, reason and acknowledgement) by POST,
so the reference is never in an address, and nothing about the record is looked up
until the request is complete: up to then the page is the same whether or not a
record has that reference. No break-glass address takes a record's id.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cse import audit, break_glass, forms, permissions
from cse.models import AuditEvent, BreakGlass, Role
from cse.stepup import step_up_required
from cse.views.common import detail_url


@require_http_methods(["GET", "POST"])
@step_up_required
def break_glass_start(request: HttpRequest) -> HttpResponse:
    permissions.require(break_glass.may_break_glass(request.user))
    form = forms.BreakGlassRequestForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                grant = break_glass.request_break_glass(
                    by=request.user,
                    reference=form.cleaned_data["reference"],
                    reason_category=form.cleaned_data["reason_category"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # The record's pages say so in their break-glass banner (with "End
                # access now") for as long as the grant is in force.
                return redirect(detail_url(grant.subject))
        else:
            break_glass.record_incomplete_request(
                by=request.user,
                reference=request.POST.get("reference", ""),
                missing=sorted(form.errors),
            )
    else:
        audit.record(
            by=request.user,
            action=AuditEvent.Action.VIEW,
            summary="break-glass request page and own accesses",
        )
    grants = permissions.break_glass_grants_held_by(request.user).select_related(
        "subject"
    )[:20]
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
            "limit": break_glass.daily_limit(),
            "used_today": break_glass.grants_today(request.user),
        },
    )


@require_POST
def break_glass_end(request: HttpRequest, pk: int) -> HttpResponse:
    """The holder ends their own grant early; anyone else, or a grant already over,
    gets 404 (a grant is not a page to be told about)."""
    grant = permissions.break_glass_grant_in_force(request.user, pk)
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
    grants = permissions.break_glass_grants_to_review(request.user)
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
    grant = permissions.break_glass_grant_to_review(request.user, pk)
    # Anyone who may not review it is told nothing, not even that it exists.
    if grant is None or not break_glass.may_review(request.user, grant):
        raise Http404("No such access")
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
        permissions.break_glass_events(request.user, grant).order_by("at", "pk")[:500]
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
