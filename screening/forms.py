"""The screening form, built from the tool definition the screening was started with.

Field names are `<section>__<item>` (`<section>` alone for a tick list), so the error
summary links straight to the question. Nothing is required while a draft is saved;
on submit, the definition's required answers, the category and the rationale are.
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout
from django import forms
from django.utils.html import escape

from cse.concurrency import VERSION_FIELD, VersionedForm
from cse.forms import Form
from cse.govuk_forms import GovukDateField
from cse.models import User

from . import services
from .models import TIMED_CHOICES, Screening, ScreeningAction, ToolDefinition

TEXTAREA = {"rows": 3}
SELECT_CATEGORY = services.SELECT_CATEGORY
ENTER_RATIONALE = services.ENTER_RATIONALE


def _text(value: str) -> str:
    """Definition text for a crispy HTML block, which is rendered as a template:
    escaped, and with braces defused so data can never act as template code."""
    return escape(value).replace("{", "&#123;").replace("%", "&#37;")


class ScreeningForm(VersionedForm, Form):
    category = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
        label="Professional judgement: category",
    )
    rationale = forms.CharField(
        required=False,
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Why you have chosen this category, reflecting on the indicators ticked.",
    )

    def __init__(
        self,
        *args,
        screening: Screening,
        user: User,
        submitting: bool = False,
        **kwargs,
    ) -> None:
        self.screening = screening
        self.definition: ToolDefinition = screening.definition
        self.user = user
        kwargs.setdefault("initial", self._initial(screening))
        super().__init__(*args, version_of=screening, **kwargs)
        layout = []
        fields = {}
        for section in self.definition.sections:
            layout.append(
                HTML(
                    f'<h2 class="govuk-heading-m" id="section-{_text(section["key"])}">'
                    f"{_text(section['title'])}</h2>"
                    + (
                        f'<p class="govuk-body">{_text(section["note"])}</p>'
                        if section.get("note")
                        else ""
                    )
                )
            )
            for name, field in self._section_fields(section):
                fields[name] = field
                layout.append(name)
        judgement = self.definition.definition.get("judgement_note", "")
        layout.append(
            HTML(
                '<h2 class="govuk-heading-m" id="section-judgement">Professional judgement</h2>'
                + (f'<p class="govuk-body">{_text(judgement)}</p>' if judgement else "")
                + '{% include "screening/includes/categories.html" %}'
            )
        )
        layout += ["category", "rationale", VERSION_FIELD]
        self.fields = {
            **fields,
            "category": self.fields["category"],
            "rationale": self.fields["rationale"],
            VERSION_FIELD: self.fields[VERSION_FIELD],
        }
        self.fields["category"].choices = [
            (c["value"], c["title"]) for c in self.definition.categories
        ]
        # What submitting needs is marked required (shown without "(optional)"),
        # but a draft may be saved with anything missing.
        messages = services.missing_answers(self.screening, {})
        messages["category"] = SELECT_CATEGORY
        messages["rationale"] = ENTER_RATIONALE
        for name, message in messages.items():
            field = self.fields[name]
            field.required = submitting or not self.is_bound
            field.error_messages["required"] = message
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*layout)

    def _section_fields(self, section: dict):
        kind = section["type"]
        key = section["key"]
        if kind == "tick":
            yield (
                key,
                forms.MultipleChoiceField(
                    required=False,
                    label=section["title"],
                    choices=[(i["key"], i["label"]) for i in section["items"]],
                    widget=forms.CheckboxSelectMultiple,
                    help_text="Select all that apply.",
                ),
            )
            return
        for item in section["items"]:
            name = services.field_name(key, item["key"])
            hint = item.get("hint", "")
            if kind == "timed":
                field = forms.MultipleChoiceField(
                    required=False,
                    label=item["label"],
                    choices=TIMED_CHOICES,
                    widget=forms.CheckboxSelectMultiple(
                        attrs={"class": "govuk-checkboxes--small"}
                    ),
                )
            elif kind == "details":
                field = forms.CharField(required=False, label=item["label"])
            elif kind == "persons" and item["key"] == "persons":
                field = forms.CharField(
                    required=False,
                    label=item["label"],
                    widget=forms.Textarea(attrs=TEXTAREA),
                )
            else:
                field = forms.CharField(
                    required=False,
                    label=item["label"],
                    widget=forms.Textarea(attrs=TEXTAREA),
                )
            if kind == "action_table" and not hint:
                hint = (
                    "Done (date) / To be done (timescales) and any appropriate details"
                )
            field.help_text = hint
            yield name, field

    def versioned_values(self, row: Screening) -> dict:
        """The draft's answers as the form shows them, field by field: a save
        conflicts when an answer this person did not see has been saved since."""
        return self._initial(row)

    @staticmethod
    def _initial(screening: Screening) -> dict:
        initial = {
            "category": screening.category,
            "rationale": screening.rationale,
        }
        for section in screening.definition.sections:
            answer = screening.answers.get(section["key"])
            if section["type"] == "tick":
                initial[section["key"]] = answer or []
                continue
            for item in section["items"]:
                name = services.field_name(section["key"], item["key"])
                value = (answer or {}).get(item["key"], "")
                if section["type"] == "persons" and item["key"] == "persons":
                    value = (answer or {}).get("person_refs", "")
                initial[name] = value
        return initial

    def clean(self) -> dict:
        data = super().clean()
        for section in self.definition.sections:
            if section["type"] != "persons":
                continue
            name = services.field_name(section["key"], "persons")
            ids, unknown = services.persons_from_references(
                self.user, data.get(name, "")
            )
            if unknown:
                self.add_error(
                    name,
                    "Enter references of persons of interest you can see, like P-000123 "
                    f"(not found: {', '.join(unknown)})",
                )
            self._person_ids = {**getattr(self, "_person_ids", {}), section["key"]: ids}
        return data

    def answers(self) -> dict:
        """The answers, by section, in the shape the definition's section types use."""
        data = self.cleaned_data
        answers: dict = {}
        for section in self.definition.sections:
            key = section["key"]
            if section["type"] == "tick":
                answers[key] = list(data.get(key) or [])
                continue
            values = {}
            for item in section["items"]:
                value = data.get(services.field_name(key, item["key"]))
                if section["type"] == "timed":
                    values[item["key"]] = list(value or [])
                elif section["type"] == "persons" and item["key"] == "persons":
                    values["person_refs"] = (value or "").strip()
                    values["person_ids"] = getattr(self, "_person_ids", {}).get(key, [])
                else:
                    values[item["key"]] = (value or "").strip()
            answers[key] = values
        return answers


class StartForm(Form):
    definition = forms.ModelChoiceField(
        queryset=ToolDefinition.objects.none(),
        widget=forms.RadioSelect,
        label="Which tool are you completing?",
        empty_label=None,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["definition"].queryset = services.active_definitions()


class FindChildForm(Form):
    forename = forms.CharField(label="First name", max_length=100)
    surname = forms.CharField(label="Last name", max_length=100)
    date_of_birth = GovukDateField(label="Date of birth", required=False)


class ActionUpdateForm(VersionedForm, Form):
    status = forms.ChoiceField(
        choices=ScreeningAction.Status.choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--small"}),
        label="What has happened?",
    )
    notes = forms.CharField(
        required=False,
        label="Notes",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when the action is not needed.",
    )
