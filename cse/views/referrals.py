from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cse import audit, forms, permissions, services
from cse.models import AuditEvent, Forum, Referral, Subject
from cse.models.subjects import SPECIFIC_ATTR
from cse.views.common import detail_url, open_subject
from cse.views.records import _apply_errors


def referral_list(request: HttpRequest) -> HttpResponse:
    """Referrals of records the user can see, waiting for triage first."""
    permissions.require(permissions.sees_records(request.user))
    referrals = permissions.scope_by_subject(
        request.user, Referral.objects.all(), "subject"
    ).select_related("subject", "local_area", "referred_by_agency", *_specific())
    status = request.GET.get("status", Referral.Status.PENDING)
    if status in Referral.Status.values:
        referrals = referrals.filter(status=status)
    forum = request.GET.get("forum", "")
    if forum in Forum.values:
        referrals = referrals.filter(forum=forum)
    page = Paginator(referrals, 50).get_page(request.GET.get("page"))
    audit.record_many(
        by=request.user,
        action=AuditEvent.Action.LIST,
        subjects=[referral.subject for referral in page.object_list],
        summary="referral list",
    )
    return render(
        request,
        "cse/referral_list.html",
        {
            "page_obj": page,
            "status": status,
            "forum": forum,
            "statuses": Referral.Status.choices,
            "forums": Forum.choices,
        },
    )


def _specific() -> list[str]:
    return [f"subject__{name}" for name in SPECIFIC_ATTR.values()]


@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A professional refers a record to a forum, with a synopsis."""
    subject = open_subject(request, Subject, pk, audit_view=False)
    permissions.require(permissions.can_add_to(request.user, subject))
    form = forms.ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_referral(
                by=request.user,
                subject=subject,
                forum=form.cleaned_data["forum"],
                source=Referral.Source.PROFESSIONAL,
                synopsis=form.cleaned_data["synopsis"],
                urgent=form.cleaned_data["is_urgent"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Referral made")
            return redirect(detail_url(subject))
    return render(
        request,
        "cse/add_to_record.html",
        {
            "form": form,
            "subject": subject.specific,
            "title": "Refer to a multi-agency meeting",
            "back": detail_url(subject),
        },
    )
