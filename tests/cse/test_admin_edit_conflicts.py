"""The administration site's change pages (a local area's contact details and
department names, agencies, users, the apps' configuration) carry the version they
were read at: a save from a page someone else has overtaken is refused."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client

from cse.models import AuditEvent, Role
from tests.cse.test_admin_audit import SITE
from tests.factories import UserFactory
from tests.page_forms import VERSION, forms_on, submitted, version_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(sam, agency_a):
    """Two system administrators, each with a browser of their own."""
    tess = UserFactory(
        username="tess",
        first_name="Tess",
        agency=agency_a,
        roles=[Role.SYSTEM_ADMINISTRATOR],
    )
    browsers = []
    for user in (sam, tess):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        browser = Client()
        browser.force_login(user)
        browsers.append(browser)
    return browsers


def _change_form(browser, area):
    response = browser.get(f"{SITE}/cse/localarea/{area.pk}/change/")
    assert response.status_code == 200
    return next(
        form
        for form in forms_on(response)
        if any(field["name"] == VERSION for field in form.fields)
    )


def test_a_stale_change_page_is_refused_and_keeps_what_was_typed(admins, area):
    sam, tess = admins
    url = f"{SITE}/cse/localarea/{area.pk}/change/"
    form_sam, form_tess = _change_form(sam, area), _change_form(tess, area)

    assert (
        sam.post(url, submitted(form_sam, cse_team_phone="0121 496 0999")).status_code
        == 302
    )

    stale = tess.post(
        url, submitted(form_tess, police_phone="0121 496 0101", _save="Save")
    )
    assert stale.status_code == 200
    page = stale.content.decode()
    assert "Someone else saved this record after you opened this form" in page
    assert "Sam" in page and "CSE team telephone" in page and "0121 496 0999" in page
    area.refresh_from_db()
    assert (area.cse_team_phone, area.police_phone) == ("0121 496 0999", "")

    # Saved again, the page's data (what she typed, now at the current version)
    # applies: she has seen the other change and kept her own form's value.
    again_form = next(
        form
        for form in forms_on(stale)
        if any(field["name"] == VERSION for field in form.fields)
    )
    assert version_of(again_form) != version_of(form_tess)
    data = submitted(again_form, cse_team_phone="0121 496 0999")
    assert data["police_phone"] == ["0121 496 0101"]
    assert tess.post(url, data).status_code == 302
    area.refresh_from_db()
    assert (area.cse_team_phone, area.police_phone) == (
        "0121 496 0999",
        "0121 496 0101",
    )
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.CHANGE, object_type="cse.localarea"
        ).count()
        == 2
    )


def test_a_fresh_change_page_saves(admins, area):
    sam, _ = admins
    url = f"{SITE}/cse/localarea/{area.pk}/change/"
    form = _change_form(sam, area)
    assert (
        sam.post(url, submitted(form, cse_team_phone="0121 496 0999")).status_code
        == 302
    )
    area.refresh_from_db()
    assert area.cse_team_phone == "0121 496 0999"


def test_every_registered_change_page_carries_a_version(admins, sam, area):
    """So a configuration screen added later is covered too."""
    browser, _ = admins
    request = type("Request", (), {"user": sam})()
    checked = []
    for model, model_admin in admin.site._registry.items():
        row = model._default_manager.first()
        if row is None or not model_admin.has_change_permission(request, row):
            continue
        opts = model._meta
        url = f"{SITE}/{opts.app_label}/{opts.model_name}/{row.pk}/change/"
        response = browser.get(url)
        assert response.status_code == 200, opts.label
        assert f'name="{VERSION}"' in response.content.decode(), opts.label
        checked.append(opts.label)
    assert {"cse.LocalArea", "cse.Agency", "cse.User"} <= set(checked)


def test_the_version_is_not_on_the_add_page(admins):
    browser, _ = admins
    response = browser.get(f"{SITE}/cse/localarea/add/")
    assert response.status_code == 200
    assert f'name="{VERSION}"' not in response.content.decode()
