from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cse import forms, permissions, services
from cse.models import SharingDecision, Subject
from cse.stepup import step_up_required
from cse.views.common import open_subject, tabs_for
from cse.views.records import _apply_errors


def sharing(request: HttpRequest, pk: int) -> HttpResponse:
    """Which agencies see this record, and every sharing decision made about it."""
    subject = open_subject(request, Subject, pk)
    access = permissions.access_to(request.user, subject).select_related(
        "agency", "decision"
    )
    decisions = subject.sharing_decisions.select_related(
        "agency", "decided_by", "decided_by_agency"
    )
    can_share = permissions.can_share(request.user, subject)
    return render(
        request,
        "cse/sharing.html",
        {
            "subject": subject.specific,
            "tabs": tabs_for(request, subject),
            "access": access,
            "decisions": decisions,
            "can_share": can_share,
            "withdraw_form": forms.WithdrawShareForm(subject=subject)
            if can_share
            else None,
        },
    )


@require_http_methods(["GET", "POST"])
@step_up_required
def share_create(request: HttpRequest, pk: int) -> HttpResponse:
    subject = open_subject(request, Subject, pk, audit_view=False)
    permissions.require(permissions.can_share(request.user, subject))
    form = forms.ShareForm(request.POST or None, subject=subject)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.record_sharing_decision(
                by=request.user,
                subject=subject,
                agency=data["agency"],
                decision=data["decision"],
                purpose=data["purpose"],
                consent=data["consent"],
                consent_reason=data["consent_reason"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if decision.decision == SharingDecision.Decision.SHARE:
                messages.success(request, f"Record shared with {decision.agency}")
            else:
                messages.success(
                    request, f"Decision not to share with {decision.agency} recorded"
                )
            return redirect(reverse("cse:sharing", args=[subject.pk]))
    return render(
        request,
        "cse/share_form.html",
        {
            "form": form,
            "subject": subject.specific,
            "back": reverse("cse:sharing", args=[subject.pk]),
        },
    )


@require_POST
@step_up_required
def share_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    subject = open_subject(request, Subject, pk, audit_view=False)
    permissions.require(permissions.can_share(request.user, subject))
    form = forms.WithdrawShareForm(request.POST, subject=subject)
    if form.is_valid():
        try:
            services.record_sharing_decision(
                by=request.user,
                subject=subject,
                agency=form.cleaned_data["agency"],
                decision=SharingDecision.Decision.WITHDRAW,
                purpose=form.cleaned_data["purpose"],
                consent=SharingDecision.Consent.NOT_SOUGHT,
                consent_reason="Withdrawal of an earlier share",
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"Share with {form.cleaned_data['agency']} withdrawn"
            )
    else:
        messages.error(request, "Enter the reason for withdrawing the share")
    return redirect(reverse("cse:sharing", args=[subject.pk]))
