"""Form fields for the GOV.UK date input pattern, and button helpers.

``GovukDateField`` cleans the day, month and year of a ``GovukDateWidget`` into a
``datetime.date`` with the GOV.UK Design System's specific error messages, e.g.
"Date of birth must include a month" or "Date of birth must be a real date". An
empty optional field cleans to ``None``.

``GovukDateTimeField`` adds a time (24-hour "14:30", or "2:30pm") and cleans to an
aware ``datetime`` in Europe/London.

The messages name the field by its label (or ``error_name=`` when given), so
they read well in the error summary.
"""

from __future__ import annotations

import calendar
import datetime
import re

from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.utils import pretty_name

from cse import hidden_characters
from cse.widgets import LONDON, GovukDateTimeWidget, GovukDateWidget

DAY, MONTH, YEAR, TIME = 0, 1, 2, 3
PART_NAMES = ("day", "month", "year", "time")

# "jan", "january", "sept" and so on, as GOV.UK asks services to accept.
MONTH_NAMES = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
MONTH_NAMES["sept"] = 9

TIME_PATTERN = re.compile(
    r"^(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<meridiem>am|pm|a\.m\.|p\.m\.)?$"
)


def _sentence_start(name: str) -> str:
    return name[:1].upper() + name[1:]


def _mid_sentence(name: str) -> str:
    # "Date of birth" -> "date of birth", but leave "CSE referral date" alone.
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def _join_parts(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


class _GovukPartsField(forms.Field):
    """Shared cleaning for the date and date-and-time fields."""

    part_count = 3
    default_hint = ""

    def __init__(
        self,
        *,
        error_name: str | None = None,
        past_only: bool = False,
        future_only: bool = False,
        autocomplete: str | None = None,
        **kwargs,
    ):
        kwargs.setdefault("widget", self.widget(autocomplete=autocomplete))
        kwargs.setdefault("help_text", self.default_hint)
        super().__init__(**kwargs)
        self.error_name = error_name
        self.past_only = past_only
        self.future_only = future_only

    # The bound field knows the label; the messages need it.
    def get_bound_field(self, form, field_name):
        bound_field = super().get_bound_field(form, field_name)
        if not self.error_name:
            self._label_for_errors = str(bound_field.label)
        return bound_field

    @property
    def name_for_errors(self) -> str:
        return self.error_name or getattr(self, "_label_for_errors", None) or "Date"

    def _fail(self, message: str, code: str, parts: list[int] | None = None):
        self.widget.error_parts = frozenset(parts or ())
        self.widget.error_index = min(parts) if parts else 0
        raise ValidationError(message, code=code)

    def _split(self, value) -> list[str]:
        if value in self.empty_values:
            return [""] * self.part_count
        if isinstance(value, (list, tuple)):
            parts = [str(part if part is not None else "").strip() for part in value]
            return (parts + [""] * self.part_count)[: self.part_count]
        return self.widget.decompress(value)

    def clean(self, value):
        self.widget.error_parts = frozenset()
        self.widget.error_index = 0
        return super().clean(value)

    def validate(self, value):
        name = self.name_for_errors
        if value is None:
            if self.required:
                self._fail(f"Enter {_mid_sentence(name)}", "required")
            return
        today = datetime.datetime.now(LONDON).date()
        day = (
            value.astimezone(LONDON).date()
            if isinstance(value, datetime.datetime)
            else value
        )
        if self.past_only and day > today:
            self._fail(
                f"{_sentence_start(name)} must be today or in the past", "future"
            )
        if self.future_only and day < today:
            self._fail(
                f"{_sentence_start(name)} must be today or in the future", "past"
            )

    def _to_date(self, parts: list[str]) -> datetime.date | None:
        name = self.name_for_errors
        day, month, year = parts[DAY], parts[MONTH], parts[YEAR]
        missing = [index for index in (DAY, MONTH, YEAR) if not parts[index]]
        if len(missing) == 3:
            return None
        if missing:
            names = _join_parts([PART_NAMES[index] for index in missing])
            self._fail(
                f"{_sentence_start(name)} must include a {names}",
                f"missing_{'_'.join(PART_NAMES[i] for i in missing)}",
                missing,
            )
        month_number = MONTH_NAMES.get(month.lower()) if not month.isdigit() else None
        if (
            not day.isdigit()
            or not (month.isdigit() or month_number)
            or not year.isdigit()
        ):
            wrong = [
                index
                for index, ok in (
                    (DAY, day.isdigit()),
                    (MONTH, month.isdigit() or bool(month_number)),
                    (YEAR, year.isdigit()),
                )
                if not ok
            ]
            self._fail(f"{_sentence_start(name)} must be a real date", "invalid", wrong)
        if len(year) != 4:
            self._fail("Year must include 4 numbers", "year_digits", [YEAR])
        try:
            return datetime.date(int(year), month_number or int(month), int(day))
        except ValueError:
            self._fail(f"{_sentence_start(name)} must be a real date", "invalid")
        return None  # unreachable: _fail raises


class GovukDateField(_GovukPartsField):
    """A GOV.UK date input that cleans to a ``datetime.date`` (or ``None``)."""

    widget = GovukDateWidget
    part_count = 3
    default_hint = "For example, 27 3 2007"

    def to_python(self, value):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        return self._to_date(self._split(value))


class GovukDateTimeField(_GovukPartsField):
    """A GOV.UK date input and a time input; cleans to an aware datetime in
    Europe/London (or ``None``)."""

    widget = GovukDateTimeWidget
    part_count = 4
    default_hint = "For example, 27 3 2026 and 14:30"

    def _bad_time(self):
        name = _sentence_start(self.name_for_errors)
        self._fail(f"{name} must be a real time, like 14:30", "invalid_time", [TIME])

    def _to_time(self, text: str) -> datetime.time:
        lowered = text.lower().replace(" ", "")
        if lowered == "midday":
            return datetime.time(12, 0)
        if lowered == "midnight":
            return datetime.time(0, 0)
        match = TIME_PATTERN.match(lowered)
        if not match:
            self._bad_time()
        hour = int(match["hour"])
        minute = int(match["minute"] or 0)
        meridiem = (match["meridiem"] or "").replace(".", "")
        if meridiem:
            if not 1 <= hour <= 12:
                self._bad_time()
            hour = hour % 12 + (12 if meridiem == "pm" else 0)
        if hour > 23 or minute > 59:
            self._bad_time()
        return datetime.time(hour, minute)

    def to_python(self, value):
        if isinstance(value, datetime.datetime):
            return value if value.tzinfo else value.replace(tzinfo=LONDON)
        parts = self._split(value)
        name = self.name_for_errors
        if not any(parts):
            return None
        if not any(parts[:3]):
            self._fail(
                f"{_sentence_start(name)} must include a date",
                "missing_date",
                [DAY, MONTH, YEAR],
            )
        day = self._to_date(parts)
        if not parts[TIME]:
            self._fail(
                f"{_sentence_start(name)} must include a time", "missing_time", [TIME]
            )
        time = self._to_time(parts[TIME])
        local = datetime.datetime.combine(day, time).replace(tzinfo=LONDON)
        # A wall-clock time skipped when the clocks go forward does not exist.
        round_trip = local.astimezone(datetime.UTC).astimezone(LONDON)
        if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
            self._fail(
                f"{_sentence_start(name)} must be a real time: the clocks went forward "
                "that night",
                "nonexistent_time",
                [TIME],
            )
        return local


def secondary_button(name: str, value: str, **kwargs) -> Submit:
    """A ``Submit`` rendered as a GOV.UK secondary button."""
    css_class = " ".join(
        filter(None, ["govuk-button--secondary", kwargs.pop("css_class", "")])
    )
    return Submit(name, value, css_class=css_class, **kwargs)


def warning_button(name: str, value: str, **kwargs) -> Submit:
    """A ``Submit`` rendered as a GOV.UK warning button (destructive actions)."""
    css_class = " ".join(
        filter(None, ["govuk-button--warning", kwargs.pop("css_class", "")])
    )
    return Submit(name, value, css_class=css_class, **kwargs)


def govuk_required_messages(form: forms.BaseForm) -> None:
    """Replace Django's "This field is required." with GOV.UK-style messages that
    name the field: "Enter forename", "Select gender", "Select “I agree” to
    continue". Call it at the end of a form's ``__init__``. Fields with a message of
    their own keep it; GOV.UK date fields have their own already."""
    default = forms.Field.default_error_messages["required"]
    for name, field in form.fields.items():
        if field.error_messages.get("required") != default:
            continue
        label = str(field.label or pretty_name(name))
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            message = f"Select “{label}” to continue"
        elif isinstance(widget, (forms.Select, forms.RadioSelect)):
            message = f"Select {_mid_sentence(label)}"
        else:
            message = f"Enter {_mid_sentence(label)}"
        field.error_messages = {**field.error_messages, "required": message}


def _field_subject(label: str) -> str:
    """How an error message names the field: "Notes", "The answer to “Why?”"."""
    label = label.removesuffix(" (optional)").strip()
    if label.endswith("?"):
        return f"The answer to “{label}”"
    return _sentence_start(label)


def _length_message(label: str, limit: int) -> str:
    # Django formats the message with the validator's parameters.
    return f"{_field_subject(label)} must be {limit:,} characters or fewer".replace(
        "%", "%%"
    )


def govuk_number_widths(form: forms.BaseForm) -> None:
    """Whole-number boxes sized for what they hold (a year, a count), as the GOV.UK
    fixed-width inputs are, unless the form chose a width itself."""
    for field in form.fields.values():
        if isinstance(field, forms.IntegerField) and not field.widget.is_hidden:
            field.widget.attrs.setdefault("class", "govuk-input--width-5")


class NoHiddenCharacters:
    """Refuses free text holding a character that changes how text is shown
    without being seen (a right-to-left override, a zero-width space; see
    cse.hidden_characters), naming the field and the character."""

    code = "hidden_characters"

    def __init__(self, label: str) -> None:
        self.label = label

    def __call__(self, value) -> None:
        found = hidden_characters.find_hidden(str(value or ""))
        if not found:
            return
        subject = _field_subject(self.label)
        which = _join_parts([hidden_characters.describe(char) for char in found])
        raise ValidationError(
            f"{subject} must not contain hidden characters that change how text is "
            f"shown: remove {which}. Typing the text again, instead of pasting it, "
            "removes them",
            code=self.code,
        )


def govuk_length_limits(form: forms.BaseForm) -> None:
    """Bound every free-text field: a field with no ``max_length`` of its own (a
    model ``TextField``, a plain ``CharField``) gets ``FREE_TEXT_MAX_LENGTH`` as a
    validator only: no ``maxlength`` attribute, which would make the browser cut
    pasted text off without a word (GOV.UK advice); the error message says it. Every
    limit, the field's own or this one, is reported GOV.UK-style: "Notes must be
    10,000 characters or fewer". Free text (not a password) that holds a hidden
    character that could disguise it (NoHiddenCharacters) is refused too. Safe to
    call again: fields done already are left."""
    default_limit = settings.FREE_TEXT_MAX_LENGTH
    for name, field in form.fields.items():
        if not isinstance(field, forms.CharField) or getattr(field, "_govuk_limit", 0):
            continue
        if not isinstance(field.widget, forms.PasswordInput):
            label = str(field.label or pretty_name(name))
            field.validators.append(NoHiddenCharacters(label))
        limit = field.max_length
        if limit is None:
            limit = field.max_length = default_limit
            field.validators.append(MaxLengthValidator(limit))
        if field.error_messages.get("max_length") is None:
            label = str(field.label or pretty_name(name))
            field.error_messages = {
                **field.error_messages,
                "max_length": _length_message(label, limit),
            }
        field._govuk_limit = limit
