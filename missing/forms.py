"""Forms for episodes, interviews, sharing, uploads and the matching queue. Every
field is listed; every choice of a record or an agency is scoped."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from cse.concurrency import VersionedForm
from cse.forms import Form, ModelForm
from cse.govuk_forms import GovukDateField, GovukDateTimeField
from cse.models import Agency, SharingDecision

from .models import MissingEpisode, ReturnInterview

RADIOS = forms.RadioSelect


class EpisodeForm(VersionedForm, ModelForm):
    reported_at = GovukDateTimeField(label="Reported at")
    last_seen_at = GovukDateTimeField(label="Last seen at", required=False)
    returned_at = GovukDateTimeField(
        label="Returned or found at",
        required=False,
        help_text="Leave empty while the child is still missing or absent.",
    )
    safe_and_well_at = GovukDateTimeField(
        label="Safe and well check at", required=False
    )

    class Meta:
        model = MissingEpisode
        fields = [
            "category",
            "missing_from",
            "police_reference",
            "reported_at",
            "last_seen_at",
            "returned_at",
            "found_location",
            "found_with",
            "risk_level",
            "safe_and_well_by",
            "safe_and_well_at",
            "notes",
        ]
        widgets = {
            "category": RADIOS,
            "missing_from": RADIOS,
            "risk_level": RADIOS,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"missing_from": "Missing or absent from"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            (value, f"{label}: {MissingEpisode.DEFINITIONS[value]}")
            for value, label in MissingEpisode.Category.choices
        ]
        self.fields["risk_level"].choices = [("", "Not known")] + list(
            MissingEpisode.Risk.choices
        )


class InterviewForm(VersionedForm, ModelForm):
    offered_at = GovukDateTimeField(label="Offered at", required=False)
    completed_at = GovukDateTimeField(label="Completed at", required=False)

    class Meta:
        model = ReturnInterview
        fields = [
            "offered_at",
            "offered_by",
            "outcome",
            "outcome_reason",
            "completed_at",
            "why_missing",
            "where_went",
            "harm_suffered",
            "push_factors",
            "pull_factors",
            "what_would_help",
        ]
        widgets = {
            "outcome": RADIOS,
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in (
                    "outcome_reason",
                    "why_missing",
                    "where_went",
                    "harm_suffered",
                    "push_factors",
                    "pull_factors",
                    "what_would_help",
                )
            },
        }


class ShareInterviewForm(Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), label="Police agency", empty_label=None
    )
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    consent = forms.ChoiceField(choices=SharingDecision.Consent.choices, widget=RADIOS)
    consent_reason = forms.CharField(
        label="Reason, where consent was not given",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class LinkFromInterviewForm(Form):
    """A place or person named in the interview, by its record reference."""

    reference = forms.CharField(
        label="Record reference of the place or person",
        help_text="For example, L-000012 or P-000034.",
        max_length=20,
    )


class UploadForm(Form):
    file = forms.FileField(label="Police missing reports (CSV file)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 10 * 1024 * 1024:
            raise ValidationError("The file must be smaller than 10 MB")
        return upload


class ResolveForm(Form):
    action = forms.ChoiceField(
        label="What should happen to this report?",
        choices=[
            ("match", "Attach it to an existing child record"),
            ("create", "Create a new child record"),
        ],
        widget=RADIOS,
    )
    reference = forms.CharField(
        label="Child's record reference",
        help_text="For example, C-000123. Needed when attaching to an existing record.",
        required=False,
        max_length=20,
    )


class AsOfForm(Form):
    as_of = GovukDateField(label="As at")
