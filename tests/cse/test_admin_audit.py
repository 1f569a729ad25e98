"""Every change made in the administration site lands in the append-only trail,
with the values before and after, whichever app's admin class made it."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.test import RequestFactory

from cse import admin as cse_admin
from cse.models import (
    AdministrationRequest,
    Agency,
    AuditEvent,
    Forum,
    LocalArea,
    OutboundEmail,
    Role,
    User,
    UserRole,
)
from disruption.models import TacticType
from meetings.models import MeetingType
from missing.models import MissingRules
from reports.models import ReportingYear
from screening.models import ToolDefinition
from tests.factories import LocalAreaFactory, UserFactory

Action = AuditEvent.Action
SITE = "/administration/site"


@pytest.fixture(autouse=True)
def _staff(sam):
    """Django's admin site lets in staff only; the role decides the rest."""
    sam.is_staff = True
    sam.save(update_fields=["is_staff"])


def test_every_registered_admin_class_is_audited():
    unaudited = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if not isinstance(model_admin, cse_admin.AuditedAdmin)
    ]
    assert unaudited == []
    assert cse_admin.check_every_admin_is_audited(None) == []


def test_the_system_check_names_an_admin_class_outside_the_trail(monkeypatch):
    class PlainAdmin(admin.ModelAdmin):
        pass

    monkeypatch.setitem(
        admin.site._registry, LocalArea, PlainAdmin(LocalArea, admin.site)
    )
    errors = cse_admin.check_every_admin_is_audited(None)
    assert [error.id for error in errors] == ["cse.E001"]
    assert "PlainAdmin" in errors[0].msg


# For each registered model: a new row (unsaved) and a field to change on it. A new
# admin registration needs an entry here, so its trail is tested too.
def _new_area():
    return LocalAreaFactory.build(name="Auditshire", slug="auditshire")


def _saved_area():
    return LocalAreaFactory(name="Otherdale", slug="otherdale")


MAKERS = {
    LocalArea: (_new_area, "cse_team_phone", "0121 496 0999"),
    Agency: (
        lambda: Agency(
            name="Audit agency",
            slug="audit-agency",
            kind=Agency.Kind.HEALTH,
            local_area=_saved_area(),
        ),
        "is_active",
        False,
    ),
    User: (
        lambda: User(username="newstaff", first_name="New", last_name="Staff"),
        "job_title",
        "Analyst",
    ),
    AdministrationRequest: (
        lambda: AdministrationRequest(
            account=UserFactory(username="target"),
            requested_by=UserFactory(username="asker"),
            roles_to_add=[Role.PRACTITIONER],
        ),
        "reason",
        "A new starter",
    ),
    OutboundEmail: (
        lambda: OutboundEmail(
            kind=OutboundEmail.Kind.SECURITY_NOTICE,
            notice="password_changed",
            user=UserFactory(username="recipient"),
        ),
        "last_error",
        "SMTPServerDisconnected",
    ),
    MeetingType: (
        lambda: MeetingType(
            local_area=_saved_area(),
            name="Local MASE",
            slug="local-mase",
            forum=Forum.MASE,
        ),
        "circulation_lead_days",
        5,
    ),
    MissingRules: (
        lambda: MissingRules(local_area=_saved_area()),
        "cmog_short_count",
        4,
    ),
    ToolDefinition: (
        lambda: ToolDefinition(
            key="audit-tool",
            version=1,
            name="Audit tool",
            kind="screening",
            definition={},
        ),
        "is_active",
        False,
    ),
    TacticType: (
        lambda: TacticType(
            code="audit-tactic", name="Audit tactic", category="civil", applies_to="poi"
        ),
        "is_active",
        False,
    ),
    ReportingYear: (
        lambda: ReportingYear(local_area=_saved_area(), start_month=4),
        "start_month",
        1,
    ),
}


def test_every_registered_model_has_a_trail_test():
    assert set(admin.site._registry) == set(MAKERS)


def _request(user):
    request = RequestFactory().post("/")
    request.user = user
    return request


def _save(model_admin, user, obj, *, change: bool) -> None:
    """What the admin's change form does once the form is valid."""
    request = _request(user)
    form = SimpleNamespace(
        instance=obj, save_m2m=lambda: None, changed_data=[], cleaned_data={}
    )
    model_admin.save_model(request, obj, form, change=change)
    model_admin.save_related(request, form, [], change=change)


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(MAKERS), ids=lambda m: m._meta.label)
def test_add_change_and_delete_are_recorded_with_before_and_after(model, sam):
    model_admin = admin.site._registry[model]
    make, field, new_value = MAKERS[model]
    obj = make()

    _save(model_admin, sam, obj, change=False)
    added = AuditEvent.objects.get(action=Action.CREATE, object_id=str(obj.pk))
    assert added.user == sam
    assert added.object_type == model._meta.label_lower
    old_value = added.changes[field][1]
    assert added.changes[field][0] is None

    setattr(obj, field, new_value)
    _save(model_admin, sam, obj, change=True)
    changed = AuditEvent.objects.get(action=Action.CHANGE, object_id=str(obj.pk))
    assert changed.user == sam
    assert changed.changes == {field: [old_value, new_value]}

    pk = obj.pk
    model_admin.delete_model(_request(sam), obj)
    assert not model.objects.filter(pk=pk).exists()
    deleted = AuditEvent.objects.get(action=Action.DELETE, object_id=str(pk))
    assert deleted.user == sam
    assert deleted.changes[field] == [new_value, None]


@pytest.mark.django_db
def test_saving_without_a_change_records_nothing(sam, area):
    model_admin = admin.site._registry[LocalArea]
    _save(model_admin, sam, area, change=True)
    assert not AuditEvent.objects.filter(object_type="cse.localarea").exists()


# --- through the pages, as an administrator uses them ---------------------------


@pytest.mark.django_db
def test_adding_an_area_through_the_form_is_recorded(client_for, sam):
    response = client_for(sam).post(
        f"{SITE}/cse/localarea/add/",
        {"name": "Newshire", "slug": "newshire", "secure_email": ""},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    area = LocalArea.objects.get(slug="newshire")
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="cse.localarea")
    assert event.user == sam and event.object_id == str(area.pk)
    assert event.changes["name"] == [None, "Newshire"]
    assert event.detail == {"via": "administration site"}


def user_form(user: User, *, roles: list[str] | None = None, **fields) -> dict:
    """The POST of the user's change form: its current values, with `fields`
    changed and the role rows replaced by `roles` (when given)."""
    rows = list(user.role_assignments.order_by("pk"))
    wanted = [row.role for row in rows] if roles is None else roles
    joined = user.date_joined.astimezone(datetime.UTC)
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S.%f"),
        "agency": user.agency_id or "",
        "job_title": user.job_title,
        "phone": user.phone,
        "collar_number": user.collar_number,
        "station": user.station,
        "approval_reason": "",
        "role_assignments-TOTAL_FORMS": str(
            len(rows) + len(set(wanted) - {r.role for r in rows})
        ),
        "role_assignments-INITIAL_FORMS": str(len(rows)),
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data[f"role_assignments-{index}-id"] = row.pk
        data[f"role_assignments-{index}-user"] = user.pk
        data[f"role_assignments-{index}-role"] = row.role
        if row.role not in wanted:
            data[f"role_assignments-{index}-DELETE"] = "on"
    new = [role for role in wanted if role not in {row.role for row in rows}]
    for index, role in enumerate(new, start=len(rows)):
        data[f"role_assignments-{index}-user"] = user.pk
        data[f"role_assignments-{index}-role"] = role
    for name, value in fields.items():
        data[name] = value
    return {key: value for key, value in data.items() if value != ""}


def post_user_form(client, user: User, **kwargs):
    url = f"{SITE}/cse/user/{user.pk}/change/"
    # The version of the account the change page was opened at.
    opened = client.get(url).context["adminform"].form["record_version"].value()
    response = client.post(url, {**user_form(user, **kwargs), "record_version": opened})
    if response.status_code != 302:  # show why the form was refused
        context = response.context
        errors = [context["adminform"].form.errors] + [
            formset.formset.errors for formset in context["inline_admin_formsets"]
        ]
        raise AssertionError(errors)
    return response


@pytest.mark.django_db
def test_a_role_removed_in_the_users_inline_is_recorded_on_the_user(
    client_for, sam, carol
):
    post_user_form(client_for(sam), carol, roles=[], job_title="Former coordinator")
    assert not UserRole.objects.filter(user=carol).exists()
    event = AuditEvent.objects.get(action=Action.CHANGE, object_type="cse.user")
    assert event.user == sam and event.object_id == str(carol.pk)
    assert event.changes["role_assignments"] == [[Role.CSE_COORDINATOR], []]
    assert event.changes["job_title"] == ["", "Former coordinator"]


@pytest.mark.django_db
def test_a_password_set_by_an_administrator_is_recorded_without_its_value(
    client_for, sam, pam
):
    response = client_for(sam).post(
        f"{SITE}/cse/user/{pam.pk}/password/",
        {
            "password1": "another-long-test-password",
            "password2": "another-long-test-password",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=Action.CHANGE, object_type="cse.user")
    assert event.user == sam and event.object_id == str(pam.pk)
    assert event.changes == {"password": ["(not recorded)", "(not recorded)"]}


@pytest.mark.django_db
def test_deactivating_from_the_list_is_recorded(client_for, sam, alice):
    client_for(sam).post(
        f"{SITE}/cse/user/", {"action": "deactivate", "_selected_action": [alice.pk]}
    )
    event = AuditEvent.objects.get(action=Action.CHANGE, object_type="cse.user")
    assert event.user == sam and event.changes == {"is_active": [True, False]}


@pytest.mark.django_db
def test_other_packages_screens_are_not_in_the_administration_site():
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert not admin.site.is_registered(Group)
    assert not admin.site.is_registered(TOTPDevice)
