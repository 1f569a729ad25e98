"""Every free-text field of the project's forms is bounded: FREE_TEXT_MAX_LENGTH
unless the field sets its own limit, with a GOV.UK message that names the field.
The hostile-input test posts an over-long value to every form the app shows."""

from __future__ import annotations

import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template

from cse.forms import Form, ModelForm, long_text
from cse.models import Vehicle
from meetings.forms import NoteForm

LIMIT = settings.FREE_TEXT_MAX_LENGTH


class NotesForm(Form):
    notes = forms.CharField(label="Notes (optional)", required=False)
    story = forms.CharField(label="What happened", widget=forms.Textarea)
    why = forms.CharField(label="Why is this changing?", required=False)
    code = forms.CharField(label="Code", max_length=8, required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["late"] = forms.CharField(label="Added later", required=False)


class VehicleForm(ModelForm):
    class Meta:
        model = Vehicle
        fields = ["registration", "notes"]


def test_a_field_without_a_limit_gets_the_setting_with_a_govuk_message():
    form = NotesForm({"story": "A" * (LIMIT + 1), "notes": "N" * (LIMIT + 1)})
    assert not form.is_valid()
    assert form.errors["story"] == ["What happened must be 10,000 characters or fewer"]
    assert form.errors["notes"] == ["Notes must be 10,000 characters or fewer"]
    assert NotesForm({"story": "A" * LIMIT}).is_valid()


def test_a_question_label_and_a_field_added_after_the_base_init_are_bounded():
    form = NotesForm(
        {"story": "x", "why": "W" * (LIMIT + 1), "late": "L" * (LIMIT + 1)}
    )
    assert not form.is_valid()
    assert form.errors["why"] == [
        "The answer to “Why is this changing?” must be 10,000 characters or fewer"
    ]
    assert form.errors["late"] == ["Added later must be 10,000 characters or fewer"]


def test_a_fields_own_limit_stays_and_gets_the_govuk_message():
    form = NotesForm({"story": "x", "code": "123456789"})
    assert not form.is_valid()
    assert form.errors["code"] == ["Code must be 8 characters or fewer"]


def test_the_default_limit_never_truncates_silently_in_the_browser():
    # No maxlength attribute for the default limit: the browser would cut pasted
    # text off without telling; the server's error message says what to do.
    form = NotesForm()
    html = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(
        Context({"form": form})
    )
    assert f'maxlength="{LIMIT}"' not in html
    assert 'maxlength="8"' in html  # a short field's own limit, as Django renders it


@pytest.mark.django_db
def test_a_model_text_field_is_bounded():
    form = VehicleForm({"registration": "AB12 CDE", "notes": "N" * (LIMIT + 1)})
    assert not form.is_valid()
    assert form.errors["notes"] == ["Notes must be 10,000 characters or fewer"]
    assert "maxlength" not in form.fields["notes"].widget.attrs


def test_meeting_notes_take_the_longer_limit():
    longer = settings.LONG_FREE_TEXT_MAX_LENGTH
    assert longer > LIMIT
    field = NoteForm().fields["text"]
    assert field.max_length == longer
    assert long_text(label="x").max_length == longer
    form = NoteForm({"kind": "discussion", "basis": "fact", "text": "T" * (longer + 1)})
    assert not form.is_valid()
    assert form.errors["text"] == ["Note must be 20,000 characters or fewer"]
