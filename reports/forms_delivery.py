"""Forms for the delivery plan. Every choice of a person or an agency is limited to the
plan's area (any area for a regional plan) through reports.permissions."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from cse.concurrency import VersionedForm
from cse.forms import Form
from cse.govuk_forms import GovukDateField
from cse.models import LocalArea, User

from . import permissions as rules
from .models import DeliveryObjective, DeliveryPlan, Rag

REGIONAL = "regional"


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.agency})" if obj.agency_id else str(obj)


class PlanForm(VersionedForm, Form):
    area = forms.ChoiceField(label="For", widget=forms.RadioSelect)
    title = forms.CharField(max_length=200, label="Title")
    period_start = GovukDateField(label="Start of the period")
    period_end = GovukDateField(label="End of the period")

    def __init__(self, *args, areas: list[LocalArea | None], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.areas = {(area.slug if area else REGIONAL): area for area in areas}
        self.fields["area"].choices = [
            (slug, area.name if area else "The region (all areas)")
            for slug, area in self.areas.items()
        ]
        if not areas:
            del self.fields["area"]

    def local_area(self) -> LocalArea | None:
        return self.areas[self.cleaned_data["area"]]

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end <= start:
            self.add_error(
                "period_end", "The end of the period must be after its start"
            )
        return data


class ObjectiveForm(VersionedForm, Form):
    number = forms.IntegerField(label="Number", min_value=1, max_value=99)
    title = forms.CharField(max_length=300, label="Objective")
    description = forms.CharField(
        label="Description (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class SubObjectiveForm(VersionedForm, Form):
    number = forms.IntegerField(
        label="Number within the objective",
        min_value=1,
        max_value=99,
        help_text="2 for sub-objective 1.2",
    )
    text = forms.CharField(
        label="Sub-objective", widget=forms.Textarea(attrs={"rows": 3})
    )


class ActionForm(VersionedForm, Form):
    objective = forms.ModelChoiceField(
        queryset=DeliveryObjective.objects.none(), label="Objective"
    )
    sub_objective = forms.ChoiceField(label="Sub-objective", required=False)
    description = forms.CharField(
        label="Action", widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.CharField(
        label="Evidence expected (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What will show the action is done. Progress notes are added later, dated.",
    )
    outcomes = forms.CharField(
        label="Intended outcomes (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    accountable_user = UserChoiceField(
        queryset=User.objects.none(),
        label="Accountable: member of staff (optional)",
        required=False,
        help_text="Named staff may update this action's progress and ratings.",
    )
    accountable_name = forms.CharField(
        max_length=200,
        label="Accountable: name or role",
        required=False,
        help_text="For example Head of Community Safety. Needed if no member of staff is chosen.",
    )
    responsible_user = UserChoiceField(
        queryset=User.objects.none(),
        label="Responsible: member of staff (optional)",
        required=False,
    )
    responsible_name = forms.CharField(
        max_length=200,
        label="Responsible: person or team",
        required=False,
        help_text="Needed if no member of staff is chosen.",
    )
    timescale = forms.CharField(
        max_length=100,
        label="Timescale (optional)",
        required=False,
        help_text="For example Quarterly, or Ongoing.",
    )
    target_date = GovukDateField(label="Target date (optional)", required=False)
    partners = forms.ModelMultipleChoiceField(
        queryset=None,
        label="Partners involved (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, plan: DeliveryPlan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        objectives = DeliveryObjective.objects.filter(plan=plan).prefetch_related(
            "sub_objectives"
        )
        self.fields["objective"].queryset = objectives
        self.subs = {
            str(sub.pk): sub for o in objectives for sub in o.sub_objectives.all()
        }
        self.fields["sub_objective"].choices = [("", "None")] + [
            (pk, f"{sub.reference} {sub.text[:90]}") for pk, sub in self.subs.items()
        ]
        users = rules.nameable_users(plan.local_area)
        self.fields["accountable_user"].queryset = users
        self.fields["responsible_user"].queryset = users
        self.fields["partners"].queryset = rules.partner_agencies(plan.local_area)

    def clean_sub_objective(self):
        value = self.cleaned_data.get("sub_objective")
        return self.subs.get(value) if value else None

    def clean(self) -> dict:
        data = super().clean()
        objective, sub = data.get("objective"), data.get("sub_objective")
        if objective and sub and sub.objective_id != objective.pk:
            self.add_error(
                "sub_objective", "Choose a sub-objective of the chosen objective"
            )
        for role in ("accountable", "responsible"):
            if (
                not data.get(f"{role}_user")
                and not data.get(f"{role}_name", "").strip()
            ):
                self.add_error(
                    f"{role}_name",
                    f"Enter who is {role}, or choose a member of staff",
                )
        return data

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("partners")
        return data


class EvidenceForm(Form):
    text = forms.CharField(
        label="Evidence or progress",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Entries are dated and kept; they cannot be changed later.",
    )


class RagForm(VersionedForm, Form):
    action_rag = forms.ChoiceField(
        choices=Rag.choices, label="Action RAG", widget=forms.RadioSelect
    )
    outcome_rag = forms.ChoiceField(
        choices=Rag.choices, label="Outcome RAG", widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="Why the rating has changed",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the rating history.",
        error_messages={"required": "Enter why the rating has changed"},
    )

    def __init__(self, *args, current: tuple[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.current = current

    def clean(self) -> dict:
        data = super().clean()
        chosen = (data.get("action_rag"), data.get("outcome_rag"))
        if None in chosen:
            return data
        if chosen == self.current:
            raise ValidationError("Choose a different rating: neither has changed")
        return data


class FilterForm(Form):
    """The plan page's filters (GET)."""

    rag = forms.ChoiceField(label="Action RAG", required=False)
    objective = forms.TypedChoiceField(
        label="Objective", required=False, coerce=int, empty_value=None
    )
    partner = forms.TypedChoiceField(
        label="Partner agency", required=False, coerce=int, empty_value=None
    )
    overdue = forms.BooleanField(label="Overdue actions only", required=False)
    order = forms.ChoiceField(
        label="Order",
        required=False,
        choices=[("plan", "Plan order"), ("due", "Overdue first, then target date")],
    )

    def __init__(self, *args, plan: DeliveryPlan, objectives, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rag"].choices = [("", "Any")] + list(Rag.choices)
        self.fields["objective"].choices = [("", "All")] + [
            (o.pk, f"{o.number}. {o.title[:80]}") for o in objectives
        ]
        self.fields["partner"].choices = [("", "Any")] + [
            (a.pk, a.name) for a in rules.partner_agencies(plan.local_area)
        ]

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "rag": data.get("rag") or "",
            "objective": data.get("objective"),
            "partner": data.get("partner"),
            "overdue": bool(data.get("overdue")),
            "order": data.get("order") or "plan",
        }


class ImportForm(Form):
    file = forms.FileField(label="CSV file")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise ValidationError("The file must be smaller than 2 MB")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError("The file must be saved as UTF-8 CSV") from error
