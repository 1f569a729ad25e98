from __future__ import annotations

from django import forms

from cse.forms import Form
from cse.models import LocalArea

from .models import ManualItem

QUARTERS = [(1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")]


class PeriodForm(Form):
    """Which dataset: an area (or all areas), a reporting year and a quarter."""

    area = forms.ChoiceField(label="Area")
    year = forms.IntegerField(
        label="Reporting year (the year it starts in)", min_value=2000, max_value=2100
    )
    quarter = forms.TypedChoiceField(
        choices=QUARTERS, coerce=int, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("all", "All areas")] + [
            (area.slug, area.name) for area in LocalArea.objects.order_by("name")
        ]

    def local_area(self) -> LocalArea | None:
        slug = self.cleaned_data["area"]
        return None if slug == "all" else LocalArea.objects.get(slug=slug)


class ManualFigureForm(Form):
    item = forms.ChoiceField(label="Figure", widget=forms.RadioSelect)
    year = forms.IntegerField(
        label="Reporting year (the year it starts in)", min_value=2000, max_value=2100
    )
    quarter = forms.TypedChoiceField(
        choices=QUARTERS, coerce=int, widget=forms.RadioSelect
    )
    value = forms.IntegerField(label="Number", min_value=0)
    notes = forms.CharField(
        label="Notes (optional)", widget=forms.Textarea, required=False
    )

    def __init__(self, *args, items: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(item, ManualItem(item).label) for item in items]
