"""Characters that change how text is shown without being seen (a right-to-left
override reads "Test\u202etxt.exe" as "Testexe.txt"): refused in every free-text
field with an error naming the field and the character; text stored before that is
shown with visible markers in pages, PDFs and CSVs."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse

from cse import forms as cse_forms
from cse import hidden_characters, pdf
from cse.csv_export import safe_cell
from cse.models import Child

RLO = "\u202e"
SPOOFING = [
    "\u202a",  # left-to-right embedding
    "\u202b",  # right-to-left embedding
    "\u202c",  # pop directional formatting
    "\u202d",  # left-to-right override
    RLO,
    "\u2066",  # left-to-right isolate
    "\u2067",  # right-to-left isolate
    "\u2068",  # first strong isolate
    "\u2069",  # pop directional isolate
    "\u200b",  # zero-width space
    "\u2060",  # word joiner
    "\ufeff",  # zero-width no-break space
    "\U000e0041",  # tag latin capital letter a
]
ALLOWED = [
    "Zoë O’Brien – née Smith…",
    "محمد علي",  # Arabic, right to left by itself
    "שרה כהן",
    "Ali\u200e (LRM) and \u200f (RLM)",
    "می\u200cخواهم",  # Persian, zero-width non-joiner
    "👩\u200d👧 ❤\ufe0f",  # emoji with a joiner and a variation selector
    "\U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f",  # Wales
]


class NotesForm(cse_forms.Form):
    notes = forms.CharField(label="Notes", widget=forms.Textarea)
    reason = forms.CharField(label="Why was it closed?", required=False)
    password = forms.CharField(widget=forms.PasswordInput, required=False)


@pytest.mark.parametrize("char", SPOOFING)
def test_free_text_with_a_hidden_character_is_refused_naming_it(char):
    form = NotesForm({"notes": f"Test{char}txt.exe"})
    assert not form.is_valid()
    (message,) = form.errors["notes"]
    assert message.startswith(
        "Notes must not contain hidden characters that change how text is shown: "
        f"remove U+{ord(char):04X} ("
    )


def test_the_error_names_each_character_and_the_question():
    form = NotesForm({"notes": "ok", "reason": f"a{RLO}b\u2066c{RLO}"})
    assert not form.is_valid()
    assert form.errors["reason"] == [
        "The answer to “Why was it closed?” must not contain hidden characters that "
        "change how text is shown: remove U+202E (right-to-left override) and "
        "U+2066 (left-to-right isolate). Typing the text again, instead of pasting "
        "it, removes them"
    ]


@pytest.mark.parametrize("text", ALLOWED)
def test_right_to_left_writing_marks_joiners_and_flags_are_accepted(text):
    form = NotesForm({"notes": text})
    assert form.is_valid(), form.errors
    assert hidden_characters.show_hidden(text) == text


def test_a_password_may_hold_any_character():
    assert NotesForm({"notes": "ok", "password": f"pass{RLO}word-long"}).is_valid()


@pytest.mark.django_db
def test_model_forms_refuse_them_too(alice):
    form = cse_forms.ChildForm(
        {"forename": f"Test{RLO}child", "surname": "Sampleton"}, user=alice
    )
    assert not form.is_valid()
    assert "hidden characters" in form.errors["forename"][0]


def test_stored_text_is_shown_with_visible_markers():
    assert hidden_characters.show_hidden(f"Test{RLO}txt.exe") == "Test[U+202E]txt.exe"
    assert hidden_characters.show_hidden("\u2067x\u2069") == "[U+2067]x[U+2069]"
    assert hidden_characters.show_hidden(None) is None


@pytest.mark.django_db
def test_a_page_shows_stored_hidden_characters_as_markers(client_for, alice, child):
    Child.objects.filter(pk=child.pk).update(forename=f"Test{RLO}dlihc")
    page = client_for(alice).get(reverse("cse:child_detail", args=[child.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Test[U+202E]dlihc" in body
    assert RLO not in body


def test_pdfs_show_them_as_markers(monkeypatch):
    monkeypatch.setattr(
        pdf,
        "render_to_string",
        lambda template, context: (
            f"<html><body><p>Test{RLO}dlihc \u2066x\u2069</p></body></html>"
        ),
    )
    from tests.cse.test_pdf import text_of

    text = text_of(pdf.render_pdf("any.html", {}))
    assert "Test[U+202E]dlihc [U+2066]x[U+2069]" in text
    assert RLO not in text


def test_csv_cells_show_them_as_markers():
    assert safe_cell(f"Test{RLO}dlihc") == "Test[U+202E]dlihc"
    assert safe_cell(f"{RLO}=1+1") == "[U+202E]=1+1"
    assert safe_cell("=1+1") == "'=1+1"
