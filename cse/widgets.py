"""Widgets for GOV.UK Design System form patterns.

The crispy-forms template pack in ``templates/govuk/`` renders these (and Django's
own widgets) as GOV.UK Frontend markup. Outside the pack they still render as
plain, working HTML inputs.

Id and name scheme of the date widgets (a field called ``date_of_birth`` with
Django's default ``auto_id``):

=====  =========================  ========================
part   input ``name``             input ``id``
=====  =========================  ========================
day    ``date_of_birth_0``        ``id_date_of_birth_0``
month  ``date_of_birth_1``        ``id_date_of_birth_1``
year   ``date_of_birth_2``        ``id_date_of_birth_2``
time   ``date_of_birth_3``        ``id_date_of_birth_3`` (date and time only)
=====  =========================  ========================

The ``govuk-date-input`` wrapper has the id ``id_date_of_birth``. The error summary
links to the first part in error (``error_index``, set by the field while
cleaning), which is the day input unless only a later part is wrong.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django import forms

LONDON = ZoneInfo("Europe/London")


class TelInput(forms.TextInput):
    """A telephone number input (``type="tel"``): Django has no such widget."""

    input_type = "tel"


class _GovukPartsWidget(forms.MultiWidget):
    """A MultiWidget of short text inputs, each with its own label and width.

    ``error_parts`` (indices of the parts the last clean found wrong) and
    ``error_index`` (the first of them) are set by the field; when no single part
    is to blame every part is marked.
    """

    # (label, width class, autocomplete suffix) for each part.
    parts: tuple[tuple[str, str, str], ...] = ()

    def __init__(self, attrs=None, *, autocomplete: str | None = None):
        self.autocomplete = autocomplete
        self.error_parts: frozenset[int] = frozenset()
        self.error_index = 0
        widgets = []
        for _label, _width, suffix in self.parts:
            part_attrs = {"inputmode": "numeric", "spellcheck": "false"}
            if suffix == "time":
                part_attrs = {"spellcheck": "false"}
            if autocomplete and suffix != "time":
                part_attrs["autocomplete"] = f"{autocomplete}-{suffix}"
            widgets.append(forms.TextInput(attrs=part_attrs))
        super().__init__(widgets, attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        invalid = (attrs or {}).get("aria-invalid") == "true"
        error_parts = self.error_parts or frozenset(range(len(self.parts)))
        for index, (subwidget, (label, width, suffix)) in enumerate(
            zip(context["widget"]["subwidgets"], self.parts, strict=True)
        ):
            subwidget["label"] = label
            subwidget["width_class"] = width
            subwidget["part"] = suffix
            subwidget["has_error"] = invalid and index in error_parts
            sub_attrs = subwidget["attrs"]
            # The browser must not validate (GOV.UK validates on the server),
            # and only the parts in error are announced as invalid.
            sub_attrs.pop("required", None)
            if not subwidget["has_error"]:
                sub_attrs.pop("aria-invalid", None)
        return context


class GovukDateWidget(_GovukPartsWidget):
    """GOV.UK date input: day, month and year text inputs."""

    parts = (
        ("Day", "govuk-input--width-2", "day"),
        ("Month", "govuk-input--width-2", "month"),
        ("Year", "govuk-input--width-4", "year"),
    )

    def decompress(self, value):
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]


class GovukDateTimeWidget(_GovukPartsWidget):
    """GOV.UK date input followed by a time text input (24-hour, e.g. 14:30)."""

    parts = (
        ("Day", "govuk-input--width-2", "day"),
        ("Month", "govuk-input--width-2", "month"),
        ("Year", "govuk-input--width-4", "year"),
        ("Time", "govuk-input--width-5", "time"),
    )

    def decompress(self, value):
        if isinstance(value, datetime.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(LONDON)
            return [
                str(value.day),
                str(value.month),
                str(value.year),
                value.strftime("%H:%M"),
            ]
        return [None, None, None, None]
