"""Forms for disruption. Fields are listed explicitly; every choice of a record is
scoped through cse.permissions."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone

from cse import permissions
from cse.concurrency import VersionedForm
from cse.forms import Form, ModelForm, long_text
from cse.govuk_forms import GovukDateField, GovukDateTimeField
from cse.models import Child, Link, Location, PersonOfInterest, Subject, User, Vehicle
from disruption.intelligence_log import PURPOSES
from disruption.models import (
    Cawn,
    CawnBreach,
    DisruptionTactic,
    IntelligenceReport,
    Plan,
    TacticType,
)

RADIOS = forms.RadioSelect
YES_NO = [("yes", "Yes"), ("no", "No")]


class CawnStartForm(Form):
    child = forms.ModelChoiceField(
        queryset=Child.objects.none(),
        widget=RADIOS,
        label="Which child is the notice about?",
        help_text="Children linked to this person that you can see.",
        required=False,
    )
    child_reference = forms.CharField(
        label="Or enter the child's record reference",
        required=False,
        help_text="For example, C-000123.",
    )
    issue_date = GovukDateField(label="Issue date")
    name_known = forms.ChoiceField(
        label="Does the person know the child by their real name?",
        choices=[
            ("real", "Yes, use the child's real name"),
            ("other", "No, use the name they know"),
        ],
        widget=RADIOS,
        initial="real",
    )
    known_name = forms.CharField(
        label="The name the person knows the child by", required=False
    )
    parental_responsibility = forms.CharField(
        label="Person or department with parental responsibility",
        required=False,
        help_text="For a child in care the area's children's services department is used.",
    )
    recipient_name = forms.CharField(label="Recipient's name")
    recipient_date_of_birth = GovukDateField(
        label="Recipient's date of birth", required=False
    )
    recipient_address = forms.CharField(
        label="Recipient's address", widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user: User, person: PersonOfInterest, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        linked = permissions.visible_links(user).filter(
            Q(from_subject=person) | Q(to_subject=person), ended_at__isnull=True
        )
        ids = set(linked.values_list("from_subject_id", flat=True)) | set(
            linked.values_list("to_subject_id", flat=True)
        )
        self.fields["child"].queryset = (
            permissions.visible_children(user)
            .filter(pk__in=ids)
            .order_by("surname", "forename")
        )
        self.fields["child"].label_from_instance = lambda c: (
            f"{c.full_name} ({c.reference})"
        )
        if not self.is_bound:
            self.initial.setdefault("issue_date", timezone.localdate())
            self.initial.setdefault(
                "recipient_name",
                f"{person.forename} {person.surname}".strip() or person.nickname,
            )
            self.initial.setdefault("recipient_date_of_birth", person.date_of_birth)
            address = next((a for a in person.addresses.all() if a.is_current), None)
            if address:
                self.initial.setdefault("recipient_address", str(address))

    def clean(self):
        data = super().clean()
        child = data.get("child")
        reference = (data.get("child_reference") or "").strip().upper()
        if child is None and reference:
            pk = reference.removeprefix("C-").lstrip("0")
            if pk.isdigit():
                child = (
                    permissions.visible_children(self.user).filter(pk=int(pk)).first()
                )
            if child is None:
                self.add_error(
                    "child_reference",
                    "Enter the reference of a child record you can see",
                )
        if child is None and not reference:
            self.add_error("child", "Select the child the notice is about")
        data["child"] = child
        if (
            data.get("name_known") == "other"
            and not (data.get("known_name") or "").strip()
        ):
            self.add_error("known_name", "Enter the name the person knows the child by")
        return data

    def child_name(self) -> str:
        if self.cleaned_data["name_known"] == "other":
            return self.cleaned_data["known_name"].strip()
        child = self.cleaned_data["child"]
        return f"{child.forename} {child.surname}"


class CawnServeForm(VersionedForm, Form):
    version_extra = ("status",)

    served_at = GovukDateTimeField(label="When was the notice served?")
    photograph_shown = forms.ChoiceField(
        label="Was the person shown a photograph of the child?",
        choices=YES_NO,
        widget=RADIOS,
    )
    knowledge_verified_by = forms.CharField(
        label="If not, how did you verify that the person knows which child is meant?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    signature = forms.ChoiceField(
        label="Did the person sign the notice?",
        choices=Cawn.Signature.choices,
        widget=RADIOS,
    )
    refusal_reason = forms.CharField(
        label="Reason given for refusing to sign",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    review_on = GovukDateField(
        label="Review date",
        required=False,
        help_text="Leave blank for 3 months after service.",
    )
    signed_copy = forms.FileField(
        label="Scanned signed copy (optional)",
        required=False,
        help_text="A PDF, JPG or PNG, smaller than 10MB.",
    )


class SignedCopyForm(VersionedForm, Form):
    version_extra = ("status",)

    signed_copy = forms.FileField(
        label="Scanned signed copy", help_text="A PDF, JPG or PNG, smaller than 10MB."
    )


class BreachForm(ModelForm):
    occurred_on = GovukDateField(label="Date of breach")

    class Meta:
        model = CawnBreach
        fields = ["occurred_on", "details", "outcome", "outcome_details"]
        widgets = {
            "details": forms.Textarea(attrs={"rows": 3}),
            "outcome": RADIOS,
            "outcome_details": forms.Textarea(attrs={"rows": 2}),
        }


class ReasonForm(Form):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(VersionedForm, ReasonForm):
    version_extra = ("status", "end_reason")


class RegisterFilterForm(Form):
    area = forms.ChoiceField(label="Area", required=False)
    start = forms.DateField(
        label="Issued from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label="Issued to",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any")] + list(Cawn.Status.choices),
    )

    def __init__(self, *args, areas, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "All areas")] + [
            (a.slug, a.name) for a in areas
        ]


class TacticForm(ModelForm):
    started_on = GovukDateField(label="Start date")
    ends_on = GovukDateField(label="End or expiry date", required=False)

    class Meta:
        model = DisruptionTactic
        fields = [
            "tactic",
            "status",
            "started_on",
            "ends_on",
            "lead_agency",
            "details",
            "outcome",
        ]
        widgets = {
            "status": RADIOS,
            "details": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, subject: Subject, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tactic"].queryset = TacticType.objects.filter(
            is_active=True, applies_to__contains=subject.kind
        )
        self.fields["lead_agency"].queryset = self.fields[
            "lead_agency"
        ].queryset.filter(local_area=user.agency.local_area, is_active=True)
        self.fields["lead_agency"].initial = user.agency_id


class TacticUpdateForm(VersionedForm, ModelForm):
    ends_on = GovukDateField(label="End or expiry date", required=False)

    class Meta:
        model = DisruptionTactic
        fields = ["status", "ends_on", "outcome"]
        widgets = {"status": RADIOS, "outcome": forms.Textarea(attrs={"rows": 3})}


class PlanForm(ModelForm):
    started_on = GovukDateField(label="Start date")
    next_review_on = GovukDateField(
        label="First review date",
        required=False,
        help_text="Leave blank for one month after the start.",
    )

    class Meta:
        model = Plan
        fields = [
            "risk",
            "risk_summary",
            "actions",
            "exit_criteria",
            "started_on",
            "next_review_on",
        ]
        widgets = {
            "risk": RADIOS,
            "risk_summary": forms.Textarea(attrs={"rows": 3}),
            "actions": forms.Textarea(attrs={"rows": 5}),
            "exit_criteria": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["next_review_on"].required = False


class PlanReviewForm(VersionedForm, Form):
    version_extra = ("deselected_on",)

    def version_rows(self, row: Plan) -> list:
        return [row, *row.reviews.all()]

    reviewed_on = GovukDateField(label="Review date")
    progress = forms.CharField(
        label="Progress and milestones", widget=forms.Textarea(attrs={"rows": 4})
    )
    risk = forms.ChoiceField(label="Risk now", choices=Plan.Risk.choices, widget=RADIOS)
    next_review_on = GovukDateField(
        label="Next review date",
        required=False,
        help_text="Leave blank for one month after this review.",
    )


class DeselectForm(VersionedForm, Form):
    version_extra = ("deselection_reason",)

    deselected_on = GovukDateField(label="De-selection date")
    reason = forms.CharField(
        label="Reason for de-selection",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Which exit criteria were met, and how monitoring continues.",
    )


class ReportForm(ModelForm):
    received_at = GovukDateTimeField(label="Date and time the information was received")
    # A full account of what is known: the longer limit.
    information = long_text(
        label="The information",
        help_text="Include as much detail as possible: names, dates of birth, "
        "descriptions, nicknames, vehicle details and registration numbers, phone "
        "numbers, addresses. For specific incidents, give dates, times and locations.",
    )

    class Meta:
        model = IntelligenceReport
        fields = [
            "submitter_contact",
            "received_at",
            "who_at_risk",
            "who_putting_at_risk",
            "where",
            "source",
            "reliability",
            "accuracy",
            "would_engage",
            "third_party_contact",
            "licensed_premises",
            "premises_trading_name",
            "premises_address",
            "information",
        ]
        labels = {
            "reliability": "If the information was supplied by someone other than yourself, how reliable do you think they are?",
            "accuracy": "How accurate do you think the information is?",
            "would_engage": "If the information is from a third party, would they be willing to engage with the police?",
            "third_party_contact": "If yes, their preferred contact details",
            "licensed_premises": "Does this information involve a licensed premises (for example newsagents, takeaways, pubs, off-licences)?",
            "premises_trading_name": "Trading name of the premises",
            "premises_address": "Address of the premises",
        }
        help_texts = {
            "reliability": "If you are not able to say, choose 'Not known' rather than guess.",
            "accuracy": "If you are not able to say, choose 'Not known' rather than guess.",
        }
        widgets = {
            "who_at_risk": forms.Textarea(attrs={"rows": 2}),
            "who_putting_at_risk": forms.Textarea(attrs={"rows": 2}),
            "where": forms.Textarea(attrs={"rows": 2}),
            "source": RADIOS,
            "reliability": RADIOS,
            "accuracy": RADIOS,
            "would_engage": RADIOS,
            "third_party_contact": forms.Textarea(attrs={"rows": 2}),
            "premises_address": forms.Textarea(attrs={"rows": 2}),
        }


class GradeForm(VersionedForm, Form):
    source_evaluation = forms.ChoiceField(
        label="Source evaluation",
        choices=IntelligenceReport.SourceEvaluation.choices,
        widget=RADIOS,
    )
    assessment = forms.ChoiceField(
        label="Intelligence assessment",
        choices=IntelligenceReport.Assessment.choices,
        widget=RADIOS,
    )
    handling_code = forms.ChoiceField(
        label="Handling code",
        choices=IntelligenceReport.Handling.choices,
        widget=RADIOS,
    )
    handling_conditions = forms.CharField(
        label="Conditions for sharing (handling code C)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # A copy of the report's information with what identifies the source taken out.
    sanitised_text = long_text(
        label="Sanitised text for dissemination", required=False, rows=5
    )


class AttachForm(Form):
    reference = forms.CharField(
        label="Record reference",
        help_text="For example, C-000123, P-000045, L-000067 or V-000089.",
    )

    PREFIX = {"C": Child, "P": PersonOfInterest, "L": Location, "V": Vehicle}

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_reference(self):
        value = self.cleaned_data["reference"].strip().upper()
        prefix, _, number = value.partition("-")
        model = self.PREFIX.get(prefix)
        subject = None
        if model and number.isdigit():
            subject = (
                permissions.visible(self.user, model).filter(pk=int(number)).first()
            )
        if subject is None:
            raise forms.ValidationError("Enter the reference of a record you can see")
        return subject


class NewPersonForm(ModelForm):
    class Meta:
        model = PersonOfInterest
        fields = ["forename", "surname", "nickname", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        if not any(
            (data.get(f) or "").strip() for f in ("forename", "surname", "nickname")
        ):
            raise forms.ValidationError("Enter a name or a nickname")
        return data


class NewLocationForm(ModelForm):
    class Meta:
        model = Location
        fields = ["name", "type", "address_line_1", "town", "postcode"]


class NewVehicleForm(ModelForm):
    class Meta:
        model = Vehicle
        fields = ["registration", "make", "model", "colour"]


class LinkForm(Form):
    from_subject = forms.ModelChoiceField(queryset=Subject.objects.none(), label="From")
    kind = forms.ChoiceField(label="Kind of link", choices=Link.Kind.choices)
    to_subject = forms.ModelChoiceField(queryset=Subject.objects.none(), label="To")
    confidence = forms.ChoiceField(
        label="Confidence", choices=Link.Confidence.choices, widget=RADIOS
    )
    notes = forms.CharField(
        label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user: User, report: IntelligenceReport, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        attached = report.report_subjects.values("subject_id")
        choices = permissions.visible(user, Subject).filter(pk__in=attached)
        for name in ("from_subject", "to_subject"):
            self.fields[name].queryset = choices
            self.fields[name].label_from_instance = lambda s: s.reference


class ActionedForm(VersionedForm, Form):
    version_extra = ("status",)

    action_taken = forms.CharField(
        label="Action taken", widget=forms.Textarea(attrs={"rows": 3})
    )


class JustificationForm(Form):
    """Why the user is opening a police intelligence report (DPA 2018 s.62)."""

    step = forms.CharField(widget=forms.HiddenInput, initial="justify")
    purpose = forms.ChoiceField(
        choices=PURPOSES, widget=forms.RadioSelect, label="Purpose"
    )
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        label="Justification",
        help_text="Why you need to read this report now. This is logged with your "
        "access and may be given to the Information Commissioner.",
    )


class IntelligenceLogForm(Form):
    start = GovukDateField(label="From")
    end = GovukDateField(label="To")
    report = forms.CharField(
        max_length=20,
        required=False,
        label="Report reference (optional)",
        help_text="For example IR-000123. Leave empty for every report.",
    )

    def clean_report(self):
        value = self.cleaned_data["report"].strip().upper()
        if not value:
            return None
        number = value.removeprefix("IR-").removeprefix("IR").lstrip("0")
        report = (
            IntelligenceReport.objects.filter(pk=int(number)).first()
            if number.isdigit()
            else None
        )
        if report is None:
            raise forms.ValidationError("There is no report with that reference")
        return report

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end date must be on or after the start date")
        return data
