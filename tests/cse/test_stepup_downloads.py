"""Downloads through "Confirm it is you": the links carry no `download` attribute
(which would save the confirmation page as the file), and after confirming the
browser goes straight on to the file; `next` is only ever a path on this site."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import resolve, reverse

from cse import stepup

PASSWORD = "a-long-test-password"

DOWNLOADS = [
    ("screening:pdf", [1]),
    ("meetings:document_download", [1, 1]),
    ("disruption:cawn_pdf", [1]),
    ("disruption:cawn_signed_copy", [1]),
    ("reports:snapshot_csv", [1]),
    ("reports:snapshot_pdf", [1]),
    ("reports:profile_csv", []),
    ("reports:profile_pdf", []),
    ("reports:outcomes_report_csv", []),
    ("reports:mase_report_csv", []),
    ("reports:delivery_plan_csv", [1]),
    ("reports:delivery_plan_pdf", [1]),
    ("missing:cmog_list", []),
]


def _stale(client) -> None:
    session = client.session
    session[stepup.CHECKED_AT] = time.time() - settings.STEP_UP_MINUTES * 60 - 5
    session.save()


@pytest.mark.parametrize(("name", "args"), DOWNLOADS)
def test_views_answering_with_a_file_are_marked_as_downloads(name, args):
    assert stepup.sends_file(reverse(name, args=args)), name


def test_pages_are_not_marked_as_downloads():
    assert not stepup.sends_file(reverse("cse:share_create", args=[1]))
    assert not stepup.sends_file(reverse("cse:home"))
    assert not stepup.sends_file("/no/such/page/")


def test_no_link_in_the_templates_has_the_download_attribute():
    """A link through step-up must be followed, not saved: with `download`, a stale
    check saves the confirmation page as download.html and nothing seems to happen."""
    pattern = re.compile(r"<a\b[^>]*\sdownload(?:[\s=>])", re.IGNORECASE)
    found = [
        str(path)
        for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
        if pattern.search(path.read_text())
    ]
    assert not found


@pytest.mark.django_db
def test_a_stale_check_leads_to_confirm_then_straight_to_the_file(client, alice):
    client.force_login(alice)
    _stale(client)
    detail = "/screening/1/"
    file_url = reverse("screening:pdf", args=[1])
    response = client.get(file_url, HTTP_REFERER=f"http://testserver{detail}")
    assert response["Location"] == stepup.confirm_url(file_url)
    page = client.get(
        response["Location"], HTTP_REFERER=f"http://testserver{detail}"
    ).content.decode()
    assert f'name="next" value="{file_url}"' in page
    assert f'name="back" value="{detail}"' in page
    confirmed = client.post(
        response["Location"], {"password": PASSWORD, "next": file_url, "back": detail}
    )
    assert confirmed.status_code == 200
    page = confirmed.content.decode()
    assert "Your file is downloading" in page
    assert f'<meta http-equiv="refresh" content="0; url={file_url}">' in page
    assert f'<a class="govuk-link" href="{file_url}">download the file</a>' in page
    assert f'href="{detail}">Go back to the page you were on' in page
    assert stepup.is_recent(client)


@pytest.mark.django_db
def test_the_cmog_csv_keeps_its_query_through_the_check(client, carol):
    client.force_login(carol)
    _stale(client)
    url = reverse("missing:cmog_list") + "?as_of_0=5&as_of_1=1&as_of_2=2026&format=csv"
    response = client.get(url)
    assert response["Location"] == stepup.confirm_url(url)
    confirmed = client.post(response["Location"], {"password": PASSWORD, "next": url})
    page = confirmed.content.decode()
    assert "Your file is downloading" in page
    assert (
        'url=/missing/cmog/?as_of_0=5&amp;as_of_1=1&amp;as_of_2=2026&amp;format=csv"'
        in page
    )
    assert client.get(url)["Content-Type"].startswith("text/csv")


@pytest.mark.django_db
def test_a_page_after_confirming_is_a_plain_redirect(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("step_up"), {"password": PASSWORD, "next": "/children/"}
    )
    assert response.status_code == 302 and response["Location"] == "/children/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/screening/1/pdf/",
        "/\\evil.example/",
        "http://testserver/children/",
        "javascript:alert(1)",
        "children/",
        "",
    ],
)
def test_next_is_only_ever_a_path_on_this_site(client, alice, target):
    client.force_login(alice)
    response = client.post(reverse("step_up"), {"password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("cse:home")


@pytest.mark.django_db
def test_a_way_back_to_another_site_is_not_offered(client, alice):
    client.force_login(alice)
    file_url = reverse("screening:pdf", args=[1])
    page = client.get(
        stepup.confirm_url(file_url), HTTP_REFERER="https://evil.example/screening/1/"
    ).content.decode()
    assert 'name="back"' not in page
    confirmed = client.post(
        stepup.confirm_url(file_url),
        {"password": PASSWORD, "next": file_url, "back": "//evil.example/"},
    ).content.decode()
    assert "Your file is downloading" in confirmed
    assert "evil.example" not in confirmed


def test_the_marked_view_still_resolves_to_the_step_up_wrapper():
    view = resolve(reverse("screening:pdf", args=[1])).func
    assert view.step_up and view.step_up_download
