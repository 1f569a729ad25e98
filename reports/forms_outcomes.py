"""Forms for outcome measures and the MASE monthly snapshot."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from cse.concurrency import VersionedForm
from cse.forms import Form
from cse.govuk_forms import GovukDateField
from cse.models import Child, LocalArea

from . import outcomes
from .models import OutcomeAssessment

MONTHS = list(
    enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
)


def _area_choices() -> list[tuple[str, str]]:
    return [("all", "All areas")] + [
        (area.slug, area.name) for area in LocalArea.objects.order_by("name")
    ]


class AssessmentForm(VersionedForm, Form):
    """The measures of one assessment; every measure may be left blank (not
    assessed). Correcting one (`version_of=` the assessment), the form is read at
    the values in force: a correction saved meanwhile by someone else is a new
    version of them."""

    occasion = forms.ChoiceField(
        label="When were the measures taken?",
        choices=OutcomeAssessment.Occasion.choices,
        widget=forms.RadioSelect,
    )
    plan = forms.TypedChoiceField(
        label="Plan (optional)", coerce=int, required=False, empty_value=None
    )
    assessed_on = GovukDateField(label="Date of the assessment")

    def __init__(self, *args, child: Child, correcting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.child = child
        self.fields["plan"].choices = [("", "Not linked to a plan")] + [
            (plan.pk, str(plan)) for plan in child.plans.order_by("-start_date")
        ]
        for measure in outcomes.MEASURES:
            if measure.kind == outcomes.YES_NO:
                field = forms.TypedChoiceField(
                    choices=[("", "Not assessed"), (1, "Yes"), (0, "No")],
                    coerce=int,
                    empty_value=None,
                    required=False,
                )
            else:
                field = forms.IntegerField(
                    min_value=measure.low, max_value=measure.high, required=False
                )
            field.label = measure.label
            field.help_text = measure.hint
            self.fields[f"m_{measure.key}"] = field
        self.fields["notes"] = forms.CharField(
            label="Notes (optional)", widget=forms.Textarea, required=False
        )
        if correcting:
            self.fields["correction_reason"] = forms.CharField(
                label="Why is this assessment being corrected?",
                widget=forms.Textarea,
            )

    def clean_plan(self):
        pk = self.cleaned_data.get("plan")
        if pk is None:
            return None
        return self.child.plans.get(pk=pk)

    def clean_assessed_on(self):
        day = self.cleaned_data["assessed_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future")
        return day

    def clean(self):
        data = super().clean()
        values = {
            m.key: data.get(f"m_{m.key}")
            for m in outcomes.MEASURES
            if data.get(f"m_{m.key}") is not None
        }
        if not values and not self.errors:
            raise forms.ValidationError("Record at least one measure")
        data["values"] = values
        return data

    def versioned_values(self, row: OutcomeAssessment) -> dict:
        current = outcomes.in_force(row)
        values = {f"m_{measure.key}": None for measure in outcomes.MEASURES}
        values.update(self.initial_from(current))
        return values

    def version_rows(self, row: OutcomeAssessment) -> list:
        return outcomes.corrections_of(row)

    @staticmethod
    def initial_from(assessment: OutcomeAssessment) -> dict:
        initial = {
            "occasion": assessment.occasion,
            "plan": assessment.plan_id,
            "assessed_on": assessment.assessed_on,
            "notes": assessment.notes,
        }
        for key, value in assessment.values.items():
            initial[f"m_{key}"] = value
        return initial


class AreaPeriodForm(Form):
    """An area (or all areas) and a period of days, for the outcomes aggregate."""

    area = forms.ChoiceField(label="Area")
    start = GovukDateField(label="From")
    end = GovukDateField(label="To")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = _area_choices()

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The start must be on or before the end")
        return data

    def local_area(self) -> LocalArea | None:
        slug = self.cleaned_data["area"]
        return None if slug == "all" else LocalArea.objects.get(slug=slug)


class AreaMonthForm(Form):
    """An area (or all areas) and a calendar month, for the MASE snapshot."""

    area = forms.ChoiceField(label="Area")
    year = forms.IntegerField(label="Year", min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(label="Month", choices=MONTHS, coerce=int)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = _area_choices()

    def local_area(self) -> LocalArea | None:
        slug = self.cleaned_data["area"]
        return None if slug == "all" else LocalArea.objects.get(slug=slug)
