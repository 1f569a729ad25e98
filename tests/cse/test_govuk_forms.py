"""The "govuk" crispy-forms template pack, the GOV.UK date fields, the shared
includes and the front-end build output.

These render small forms and templates; none needs the database.
"""

from __future__ import annotations

import datetime
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory

from cse.govuk_forms import (
    GovukDateField,
    GovukDateTimeField,
    govuk_required_messages,
    secondary_button,
)
from cse.widgets import GovukDateWidget, TelInput

ROOT = Path(__file__).resolve().parents[2]
LONDON = ZoneInfo("Europe/London")


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None]):
        self.tag = tag
        self.attrs = attrs

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class Page(HTMLParser):
    """Every element of a rendered fragment, with its attributes, in order."""

    def __init__(self, html: str):
        super().__init__()
        self.html = html
        self.elements: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append(Element(tag, dict(attrs)))

    def ids(self) -> set[str]:
        return {e.attrs["id"] for e in self.elements if e.attrs.get("id")}

    def by_id(self, element_id: str) -> Element:
        (element,) = [e for e in self.elements if e.attrs.get("id") == element_id]
        return element

    def with_class(self, css_class: str) -> list[Element]:
        return [e for e in self.elements if css_class in e.classes]


def crispy(form: forms.Form) -> Page:
    return Page(
        Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(
            Context({"form": form})
        )
    )


def crispy_tag(form: forms.Form) -> Page:
    return Page(
        Template("{% load crispy_forms_tags %}{% crispy form %}").render(
            Context({"form": form})
        )
    )


def with_summary(form: forms.Form) -> Page:
    return Page(
        Template(
            '{% load crispy_forms_tags %}{% include "includes/error_summary.html" %}'
            "{{ form|crispy }}"
        ).render(Context({"form": form}))
    )


class EveryWidgetForm(forms.Form):
    name = forms.CharField(help_text="Their full name")
    email = forms.EmailField(required=False)
    age = forms.IntegerField(required=False)
    password = forms.CharField(widget=forms.PasswordInput)
    website = forms.URLField(required=False, assume_scheme="https")
    phone = forms.CharField(widget=TelInput, required=False)
    notes = forms.CharField(widget=forms.Textarea, required=False)
    agency = forms.ChoiceField(choices=[("", "Choose an agency"), ("police", "Police")])
    risk = forms.ChoiceField(
        choices=[("1", "Category 1"), ("2", "Category 2")],
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--small"}),
    )
    concerns = forms.MultipleChoiceField(
        choices=[("missing", "Missing episodes"), ("older", "Older associates")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    consent = forms.BooleanField(label="Consent was given", help_text="Ask first")
    date_of_birth = GovukDateField()
    token = forms.CharField(widget=forms.HiddenInput, required=False)


class DateForm(forms.Form):
    date_of_birth = GovukDateField(required=False)
    referred_on = GovukDateField(label="Date of referral")


class LastSeenForm(forms.Form):
    last_seen = GovukDateTimeField(label="Last seen")


def date_data(prefix: str, day="", month="", year="") -> dict[str, str]:
    return {f"{prefix}_0": day, f"{prefix}_1": month, f"{prefix}_2": year}


def test_it_renders_text_like_inputs_with_govuk_classes():
    page = crispy(EveryWidgetForm())

    for name, input_type in [
        ("name", "text"),
        ("email", "email"),
        ("password", "password"),
        ("website", "url"),
        ("phone", "tel"),
    ]:
        element = page.by_id(f"id_{name}")
        assert element.tag == "input"
        assert element.attrs["type"] == input_type
        assert "govuk-input" in element.classes
    assert [e.attrs["for"] for e in page.with_class("govuk-label")][:2] == [
        "id_name",
        "id_email",
    ]
    assert page.with_class("govuk-form-group")


def test_it_renders_number_inputs_as_text_with_a_numeric_keyboard():
    age = crispy(EveryWidgetForm()).by_id("id_age")

    assert age.attrs["type"] == "text"
    assert age.attrs["inputmode"] == "numeric"
    assert "govuk-input" in age.classes


def test_it_renders_the_help_text_as_a_hint_the_input_is_described_by():
    page = crispy(EveryWidgetForm())

    assert "govuk-hint" in page.by_id("id_name_helptext").classes
    assert page.by_id("id_name").attrs["aria-describedby"] == "id_name_helptext"


def test_it_renders_textarea_select_radios_and_checkboxes_with_govuk_classes():
    page = crispy(EveryWidgetForm())

    assert "govuk-textarea" in page.by_id("id_notes").classes
    assert "govuk-select" in page.by_id("id_agency").classes
    assert page.by_id("id_agency").tag == "select"
    radios = page.with_class("govuk-radios")
    assert len(radios) == 1
    assert "govuk-radios--small" in radios[0].classes
    assert radios[0].attrs["data-module"] == "govuk-radios"
    assert "govuk-radios__input" in page.by_id("id_risk_0").classes
    assert page.by_id("id_risk_1").attrs["type"] == "radio"
    assert "govuk-checkboxes__input" in page.by_id("id_concerns_0").classes
    legends = page.with_class("govuk-fieldset__legend")
    assert all("govuk-fieldset__legend--s" in legend.classes for legend in legends)
    assert len(page.with_class("govuk-fieldset")) == 3  # radios, checkboxes, date


def test_it_renders_a_single_checkbox_as_one_govuk_checkboxes_item():
    page = crispy(EveryWidgetForm())

    consent = page.by_id("id_consent")
    assert consent.attrs["type"] == "checkbox"
    assert "govuk-checkboxes__input" in consent.classes
    assert "govuk-checkboxes__hint" in page.by_id("id_consent_helptext").classes
    assert 'for="id_consent">Consent was given</label>' in page.html


def test_it_renders_hidden_fields_plainly():
    page = crispy(EveryWidgetForm())

    token = page.by_id("id_token")
    assert token.attrs["type"] == "hidden"
    assert not token.classes


def test_it_marks_optional_fields():
    page = crispy(EveryWidgetForm())

    assert 'for="id_email">Email (optional)</label>' in page.html
    assert "Concerns (optional)</legend>" in page.html


def test_it_does_not_mark_required_fields():
    page = crispy(EveryWidgetForm())

    assert 'for="id_name">Name</label>' in page.html
    assert "Date of birth</legend>" in page.html
    assert "*" not in page.html
    assert not [e for e in page.elements if "required" in e.attrs]


def test_it_marks_fields_in_error_and_points_to_their_error_messages():
    form = EveryWidgetForm(data={"email": "not an email", "age": "ten"})
    page = crispy(form)

    for name in ("name", "email", "age", "password", "agency"):
        error = page.by_id(f"id_{name}_error")
        assert "govuk-error-message" in error.classes
        described_by = page.by_id(f"id_{name}").attrs["aria-describedby"].split()
        assert f"id_{name}_error" in described_by
    assert "govuk-input--error" in page.by_id("id_email").classes
    assert "govuk-select--error" in page.by_id("id_agency").classes
    assert '<span class="govuk-visually-hidden">Error:</span> Enter a valid email' in (
        page.html
    )
    groups_in_error = page.with_class("govuk-form-group--error")
    # name, email, age, password, agency, risk, consent, date of birth
    assert len(groups_in_error) == 8
    fieldsets = [
        e for e in page.with_class("govuk-fieldset") if "aria-describedby" in e.attrs
    ]
    assert any("id_risk_error" in f.attrs["aria-describedby"] for f in fieldsets)


def test_every_aria_describedby_points_at_an_element_that_exists():
    page = crispy(EveryWidgetForm(data={}))

    ids = page.ids()
    for element in page.elements:
        for target in (element.attrs.get("aria-describedby") or "").split():
            assert target in ids, f"{element.tag} points at missing #{target}"


def test_the_crispy_tag_renders_a_form_with_govuk_buttons():
    form = EveryWidgetForm()
    form.helper = FormHelper()
    form.helper.add_input(Submit("save", "Save referral"))
    form.helper.add_input(secondary_button("draft", "Save as draft"))
    page = crispy_tag(form)

    (form_element,) = [e for e in page.elements if e.tag == "form"]
    assert "novalidate" in form_element.attrs
    assert "govuk-input" in page.by_id("id_name").classes
    save, draft = page.with_class("govuk-button")
    assert save.tag == "button"
    assert save.attrs["data-module"] == "govuk-button"
    assert save.attrs["data-prevent-double-click"] == "true"
    assert save.classes == {"govuk-button"}  # crispy's Bootstrap classes dropped
    assert draft.classes == {"govuk-button", "govuk-button--secondary"}
    assert ">Save referral</button>" in page.html


def test_the_crispy_tag_renders_a_layout_with_a_fieldset():
    form = DateForm()
    form.helper = FormHelper()
    form.helper.layout = Layout(
        Fieldset("Referral", "referred_on"), Submit("continue", "Continue")
    )
    page = crispy_tag(form)

    assert "Referral</legend>" in page.html
    assert page.by_id("id_referred_on_0")
    assert "id_date_of_birth_0" not in page.ids()
    assert ">Continue</button>" in page.html


def test_the_date_field_cleans_into_a_real_date():
    form = DateForm(
        data={
            **date_data("date_of_birth", "3", "feb", "2011"),
            **date_data("referred_on", "07", "11", "2025"),
        }
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == datetime.date(2011, 2, 3)
    assert form.cleaned_data["referred_on"] == datetime.date(2025, 11, 7)


def test_an_empty_optional_date_field_gives_none():
    form = DateForm(data=date_data("referred_on", "1", "1", "2025"))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] is None


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("3", "", "2010", "Date of birth must include a month"),
        ("", "", "2010", "Date of birth must include a day and month"),
        ("3", "4", "", "Date of birth must include a year"),
        ("31", "2", "2010", "Date of birth must be a real date"),
        ("3", "13", "2010", "Date of birth must be a real date"),
        ("x", "4", "2010", "Date of birth must be a real date"),
        ("3", "4", "10", "Year must include 4 numbers"),
    ],
)
def test_the_date_field_gives_govuk_style_specific_messages(day, month, year, message):
    form = DateForm(
        data={
            **date_data("date_of_birth", day, month, year),
            **date_data("referred_on", "1", "1", "2025"),
        }
    )

    assert not form.is_valid()
    assert form.errors["date_of_birth"] == [message]


def test_a_required_date_field_asks_for_the_date_by_its_label():
    form = DateForm(data={})

    assert not form.is_valid()
    assert form.errors["referred_on"] == ["Enter date of referral"]


def test_the_date_input_highlights_only_the_part_in_error():
    form = DateForm(data=date_data("referred_on", "3", "", "2010"))
    page = crispy(form)

    assert "govuk-date-input" in page.by_id("id_referred_on").classes
    day, month, year = (page.by_id(f"id_referred_on_{i}") for i in range(3))
    assert "govuk-input--error" in month.classes
    assert "govuk-input--error" not in day.classes
    assert "govuk-input--error" not in year.classes
    assert day.attrs["inputmode"] == "numeric"
    assert "govuk-input--width-4" in year.classes
    assert page.by_id("id_referred_on_0").attrs["name"] == "referred_on_0"


def test_the_date_widget_shows_an_initial_date_in_its_parts():
    widget = GovukDateWidget()

    assert widget.decompress(datetime.date(2024, 3, 9)) == ["9", "3", "2024"]
    assert widget.decompress(None) == [None, None, None]


def test_the_date_and_time_field_gives_an_aware_datetime_in_london():
    form = LastSeenForm(
        data={**date_data("last_seen", "1", "7", "2026"), "last_seen_3": "2:30pm"}
    )

    assert form.is_valid(), form.errors
    value = form.cleaned_data["last_seen"]
    assert value == datetime.datetime(2026, 7, 1, 14, 30, tzinfo=LONDON)
    assert value.utcoffset() == datetime.timedelta(hours=1)


@pytest.mark.parametrize(
    ("time", "message"),
    [
        ("", "Last seen must include a time"),
        ("25:00", "Last seen must be a real time, like 14:30"),
        ("soon", "Last seen must be a real time, like 14:30"),
    ],
)
def test_the_date_and_time_field_explains_a_wrong_time(time, message):
    form = LastSeenForm(
        data={**date_data("last_seen", "1", "7", "2026"), "last_seen_3": time}
    )

    assert not form.is_valid()
    assert form.errors["last_seen"] == [message]


def test_required_messages_can_name_the_field_the_govuk_way():
    class ReferralForm(forms.Form):
        forename = forms.CharField()
        gender = forms.ChoiceField(choices=[("f", "Female")], widget=forms.RadioSelect)
        agree = forms.BooleanField(label="I have consent")
        reason = forms.CharField(error_messages={"required": "Enter why"})

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            govuk_required_messages(self)

    form = ReferralForm(data={})

    assert not form.is_valid()
    assert form.errors == {
        "forename": ["Enter forename"],
        "gender": ["Select gender"],
        "agree": ["Select “I have consent” to continue"],
        "reason": ["Enter why"],
    }


def test_the_error_summary_links_to_fields_that_exist_in_the_form():
    form = EveryWidgetForm(data={"date_of_birth_0": "3", "date_of_birth_2": "2010"})
    page = with_summary(form)

    summary = page.with_class("govuk-error-summary")
    assert len(summary) == 1
    assert summary[0].attrs["data-module"] == "govuk-error-summary"
    assert "There is a problem" in page.html
    links = [
        e.attrs["href"][1:]
        for e in page.elements
        if e.tag == "a" and (e.attrs.get("href") or "").startswith("#")
    ]
    assert links == [
        "id_name",
        "id_password",
        "id_agency",
        "id_risk_0",
        "id_consent",
        "id_date_of_birth_1",  # the month: the only part missing
    ]
    ids = page.ids()
    assert all(link in ids for link in links)


def test_radios_leave_out_djangos_blank_choice_and_the_summary_links_past_it():
    class GenderForm(forms.Form):
        gender = forms.ChoiceField(
            choices=[("", "---------"), ("f", "Female"), ("m", "Male")],
            widget=forms.RadioSelect,
        )

    page = with_summary(GenderForm(data={}))

    assert "---------" not in page.html
    assert "id_gender_0" not in page.ids()
    assert page.by_id("id_gender_1").attrs["value"] == "f"
    assert 'href="#id_gender_1"' in page.html


def test_the_error_summary_lists_errors_of_no_field_without_a_link():
    class ClashForm(forms.Form):
        start = forms.CharField()

        def clean(self):
            raise forms.ValidationError("The dates overlap another episode")

    page = with_summary(ClashForm(data={"start": "x"}))

    assert "<li>The dates overlap another episode</li>" in page.html


def test_the_error_summary_renders_nothing_without_errors():
    page = with_summary(DateForm(data=date_data("referred_on", "1", "1", "2025")))

    assert not page.with_class("govuk-error-summary")
    assert not page.with_class("govuk-error-message")


@pytest.fixture
def plain_static_files(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


def signed_in_context() -> dict:
    user = SimpleNamespace(
        is_authenticated=True,
        get_full_name="Sam Jones",
        get_username="sjones",
        agency=SimpleNamespace(
            name="Northtown Police", local_area=SimpleNamespace(name="Northtown")
        ),
    )
    return {
        "request": SimpleNamespace(user=user),
        "shell": {
            "marking": "OFFICIAL-SENSITIVE",
            "nav": [
                {"label": "Cases", "url": "/cases/", "active": True},
                {"label": "Meetings", "url": "/meetings/", "active": False},
            ],
            "logout_url": "/accounts/logout/",
            "password_change_url": "/accounts/password_change/",
        },
    }


@pytest.mark.usefixtures("plain_static_files")
def test_the_login_page_renders_the_authentication_form_in_govuk_markup():
    form = AuthenticationForm(data={"username": "", "password": ""})
    html = render_to_string(
        "registration/login.html",
        {"form": form, "next": "/cases/", "shell": {"marking": "OFFICIAL-SENSITIVE"}},
    )
    page = Page(html)

    assert "<title>Error: Sign in – CSE case management</title>" in html
    assert "govuk-input" in page.by_id("id_username").classes
    assert page.by_id("id_password").attrs["type"] == "password"
    assert 'for="id_username">Username</label>' in html
    assert page.with_class("govuk-error-summary")
    hidden_next = [e for e in page.elements if e.attrs.get("name") == "next"]
    assert hidden_next[0].attrs == {
        "type": "hidden",
        "name": "next",
        "value": "/cases/",
    }
    assert "Sign out" not in html
    assert not page.with_class("govuk-service-navigation")


@pytest.mark.usefixtures("plain_static_files")
def test_the_base_layout_has_the_marking_navigation_and_no_inline_script_or_style():
    html = render_to_string("base.html", signed_in_context())
    page = Page(html)

    assert html.count("OFFICIAL-SENSITIVE") == 2
    assert html.index("OFFICIAL-SENSITIVE") < html.index("<header")
    assert page.by_id("main-content").tag == "main"
    assert [e.attrs["href"] for e in page.elements if e.tag == "a"][
        0
    ] == "#main-content"
    current = [e for e in page.elements if e.attrs.get("aria-current") == "page"]
    assert [e.attrs["href"] for e in current] == ["/cases/"]
    assert "Sam Jones" in html
    assert "Northtown Police" in html
    (sign_out,) = [
        e for e in page.elements if e.attrs.get("action") == "/accounts/logout/"
    ]
    assert sign_out.attrs["method"] == "post"
    assert 'href="/accessibility/">Accessibility statement</a>' in html
    scripts = [e for e in page.elements if e.tag == "script"]
    assert scripts
    assert all(s.attrs.get("src") and s.attrs.get("type") == "module" for s in scripts)
    assert not [e for e in page.elements if "style" in e.attrs or e.tag == "style"]
    assert not [e for e in page.elements if any(a.startswith("on") for a in e.attrs)]


@pytest.mark.usefixtures("plain_static_files")
def test_the_base_layout_shows_messages_as_notification_banners():
    from django.contrib import messages
    from django.contrib.messages.storage.base import Message

    context = signed_in_context()
    context["messages"] = [
        Message(messages.SUCCESS, "Referral saved"),
        Message(messages.ERROR, "The meeting could not be booked"),
    ]
    page = Page(render_to_string("base.html", context))

    success, error = page.with_class("govuk-notification-banner")
    assert "govuk-notification-banner--success" in success.classes
    assert success.attrs["role"] == "alert"
    assert "app-notification-banner--error" in error.classes
    assert error.attrs["role"] == "alert"


@pytest.mark.parametrize(
    ("category", "text", "modifier"),
    [
        (None, "Not assessed", "app-risk-badge--none"),
        (0, "No CSE concerns identified", "app-risk-badge--category-0"),
        (1, "Category 1: at risk", "app-risk-badge--category-1"),
        (2, "Category 2: significant risk", "app-risk-badge--category-2"),
        (3, "Category 3: serious risk", "app-risk-badge--category-3"),
    ],
)
def test_the_risk_badge_names_the_category(category, text, modifier):
    html = render_to_string("includes/risk_badge.html", {"category": category})
    (badge,) = Page(html).with_class("moj-badge")

    assert f">{text}</strong>" in html
    assert modifier in badge.classes


def test_the_risk_badges_have_distinct_moj_badge_modifiers():
    modifiers = set()
    for category in (None, 0, 1, 2, 3):
        html = render_to_string("includes/risk_badge.html", {"category": category})
        (badge,) = Page(html).with_class("moj-badge")
        modifiers.add(
            frozenset(c for c in badge.classes if c.startswith("moj-badge--"))
        )

    assert len(modifiers) == 5


def test_the_timeline_shows_times_in_london():
    entry = SimpleNamespace(
        title="Strategy meeting held",
        occurred_at=datetime.datetime(2026, 11, 23, 15, 4, tzinfo=datetime.UTC),
        byline="Sam Jones",
        description="Plan agreed",
    )
    summer = SimpleNamespace(
        title="Return interview",
        occurred_at=datetime.datetime(2026, 7, 1, 8, 0, tzinfo=datetime.UTC),
        byline="",
        description="",
    )
    html = render_to_string("includes/timeline.html", {"entries": [entry, summer]})

    assert "23 November 2026 at 3:04pm" in html
    assert "1 July 2026 at 9:00am" in html
    assert "by Sam Jones" in html
    assert "moj-timeline__item" in html


def test_pagination_keeps_the_other_query_parameters():
    request = RequestFactory().get("/cases/", {"q": "smith", "page": "5"})
    page_obj = Paginator(range(200), 10).page(5)
    # {% querystring %} reads context.request; no context processors needed.
    context = Context({"page_obj": page_obj})
    context.request = request
    html = Template('{% include "includes/pagination.html" %}').render(context)
    page = Page(html)

    hrefs = [e.attrs["href"] for e in page.elements if e.tag == "a"]
    assert hrefs[0] == "?q=smith&page=4"  # previous
    assert "?q=smith&page=20" in hrefs
    assert hrefs[-1] == "?q=smith&page=6"  # next
    (current,) = [e for e in page.elements if e.attrs.get("aria-current") == "page"]
    assert current.attrs["href"] == "?q=smith&page=5"
    assert "govuk-pagination__item--ellipsis" in html


def test_the_sub_navigation_marks_the_current_item():
    html = render_to_string(
        "includes/sub_navigation.html",
        {
            "items": [
                {"label": "Summary", "url": "/cases/1/", "active": True},
                {"label": "Notes", "url": "/cases/1/notes/", "active": False},
            ]
        },
    )
    page = Page(html)

    (current,) = [e for e in page.elements if e.attrs.get("aria-current") == "page"]
    assert current.attrs["href"] == "/cases/1/"
    assert page.with_class("moj-sub-navigation")


def test_the_built_stylesheet_does_not_use_the_gds_transport_font():
    css = ROOT / "static" / "build" / "app.css"
    if not css.exists():
        pytest.skip("static/build/app.css is absent: run `npm run build` first")

    text = css.read_text()
    assert "GDS Transport" not in text
    assert "govuk-" in text
    assert "moj-" in text
