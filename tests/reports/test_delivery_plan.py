"""The CSE delivery plan: rating changes and their history, evidence, overdue actions,
counts per objective, filters, the pages with their error summaries, the board's CSV
and PDF, importing a plan, and the demonstration plan."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cse.models import AuditEvent, Role
from reports import delivery_plan as plans
from reports import permissions as rules
from reports.models import (
    DeliveryAction,
    DeliveryEvidence,
    DeliveryObjective,
    DeliveryPlan,
    Rag,
    RagChange,
)
from tests.factories import AgencyFactory, LocalAreaFactory, UserFactory
from tests.page_forms import read_version
from tests.reports.delivery_helpers import add_action, make_plan

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def plan(pam):
    return make_plan(pam)


@pytest.fixture
def action(pam, plan, dave):
    return add_action(pam, plan, responsible=dave)


# --- ratings and their history ------------------------------------------------------


def test_a_rating_change_is_kept_with_who_when_from_to_and_why(action, carol):
    rows = plans.change_rag(
        by=carol,
        action=action,
        action_rag=Rag.AMBER,
        outcome_rag=Rag.NOT_RATED,
        comment="Two agencies still to start",
    )
    assert len(rows) == 1
    change = RagChange.objects.get()
    assert (change.which, change.from_rag, change.to_rag) == ("action", "none", "amber")
    assert (
        change.changed_by == carol and change.comment == "Two agencies still to start"
    )
    action.refresh_from_db()
    assert action.action_rag == Rag.AMBER
    event = AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE).last()
    assert event.changes == {"action_rag": ["none", "amber"]}
    assert event.detail["comment"] == "Two agencies still to start"


def test_changing_both_ratings_keeps_one_row_each_and_a_later_change_starts_from_the_last(
    action, pam
):
    plans.change_rag(
        by=pam, action=action, action_rag="red", outcome_rag="amber", comment="Late"
    )
    plans.change_rag(
        by=pam, action=action, action_rag="blue", outcome_rag="amber", comment="Done"
    )
    history = list(
        RagChange.objects.order_by("pk").values_list("which", "from_rag", "to_rag")
    )
    assert history == [
        ("action", "none", "red"),
        ("outcome", "none", "amber"),
        ("action", "red", "blue"),
    ]


def test_a_rating_change_needs_a_comment_and_writes_nothing_without_one(action, pam):
    with pytest.raises(ValidationError) as error:
        plans.change_rag(
            by=pam, action=action, action_rag="green", outcome_rag="none", comment=" "
        )
    assert "comment" in error.value.error_dict
    action.refresh_from_db()
    assert action.action_rag == Rag.NOT_RATED
    assert not RagChange.objects.exists()


def test_setting_the_same_ratings_changes_nothing_and_needs_no_comment(action, pam):
    assert (
        plans.change_rag(
            by=pam, action=action, action_rag="none", outcome_rag="none", comment=""
        )
        == []
    )
    assert not RagChange.objects.exists()


def test_the_history_cannot_be_changed_or_deleted(action, pam):
    [change] = plans.change_rag(
        by=pam, action=action, action_rag="red", outcome_rag="none", comment="Stalled"
    )
    change.comment = "rewritten"
    with pytest.raises(ValidationError):
        change.save()
    with pytest.raises(ValidationError):
        change.delete()
    entry = plans.add_evidence(by=pam, action=action, text="Agreement drafted")
    entry.text = "rewritten"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()


def test_the_database_refuses_a_history_row_without_a_reason(action, pam):
    with pytest.raises(IntegrityError), transaction.atomic():
        RagChange.objects.create(
            action=action,
            which="action",
            from_rag="red",
            to_rag="green",
            comment="",
            changed_by=pam,
        )


def test_who_may_update_progress(action, pam, carol, dave, alice, bob, erin, sam):
    # dave is named responsible; carol coordinates in the plan's area
    for user in (pam, carol, dave):
        assert rules.may_update_action(user, action), user
    for user in (alice, bob, erin, sam):
        assert not rules.may_update_action(user, action), user
        with pytest.raises(PermissionDenied):
            plans.add_evidence(by=user, action=action, text="x")
        with pytest.raises(PermissionDenied):
            plans.change_rag(
                by=user,
                action=action,
                action_rag="red",
                outcome_rag="none",
                comment="x",
            )


def test_an_accountable_member_of_staff_may_update_their_action(pam, plan, alice):
    action = add_action(pam, plan)
    assert not rules.may_update_action(alice, action)
    action.accountable_user = alice
    action.save()
    assert rules.may_update_action(alice, action)


def test_coordinators_update_a_regional_plan_only_where_named(pam, carol):
    regional = plans.create_plan(
        by=pam,
        local_area=None,
        title="Regional plan",
        period_start=D(2026, 4, 1),
        period_end=D(2028, 3, 31),
    )
    action = add_action(pam, regional)
    assert not rules.may_update_action(carol, action)
    assert rules.may_read_plans(carol) and regional in rules.visible_plans(carol)


def test_evidence_entries_are_dated_and_audited(action, dave):
    entry = plans.add_evidence(by=dave, action=action, text="Briefing held")
    assert entry.entered_by == dave and entry.entered_at is not None
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_type="reports.deliveryevidence"
    ).exists()
    with pytest.raises(ValidationError):
        plans.add_evidence(by=dave, action=action, text="  ")


# --- overdue -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "rag", "overdue"),
    [
        (D(2026, 6, 29), "red", False),
        (D(2026, 6, 30), "red", False),  # on the target date: not yet
        (D(2026, 7, 1), "red", True),  # the day after
        (D(2026, 7, 1), "none", True),
        (D(2026, 7, 1), "green", True),
        (D(2027, 1, 1), "blue", False),  # complete is never overdue
    ],
)
def test_overdue_begins_the_day_after_the_target_until_complete(day, rag, overdue):
    action = DeliveryAction(target_date=D(2026, 6, 30), action_rag=rag)
    assert action.is_overdue_on(day) is overdue


def test_an_action_without_a_target_date_is_never_overdue():
    assert not DeliveryAction(target_date=None).is_overdue_on(D(2099, 1, 1))


# --- counts and filters --------------------------------------------------------------


@pytest.fixture
def mixed(pam, plan, agency_b, agency_c):
    """Objective 1: red (overdue), green; objective 2: blue (past target), amber."""
    made = [
        add_action(pam, plan, number=1, target=D(2026, 5, 1), partners=[agency_b]),
        add_action(pam, plan, number=1, target=D(2026, 9, 1)),
        add_action(pam, plan, number=2, target=D(2026, 5, 1), partners=[agency_c]),
        add_action(pam, plan, number=2, target=None),
    ]
    for action, rag in zip(made, ["red", "green", "blue", "amber"], strict=True):
        plans.change_rag(
            by=pam, action=action, action_rag=rag, outcome_rag="none", comment="Rated"
        )
    return made


def test_counts_per_objective_and_for_the_plan(plan, mixed):
    objectives = list(plan.objectives.all())
    counts, total = plans.summary(objectives, plans.plan_actions(plan), D(2026, 6, 1))
    first, second = (c for _, c in counts)
    assert (first.total, first.by_rag["red"], first.by_rag["green"], first.overdue) == (
        2,
        1,
        1,
        1,
    )
    assert (second.by_rag["blue"], second.by_rag["amber"], second.overdue) == (1, 1, 0)
    assert (total.total, total.overdue) == (4, 1)
    assert total.cells == [0, 1, 1, 1, 1]  # not rated, red, amber, green, blue


def test_filters_by_rating_objective_overdue_and_partner(plan, mixed, agency_b):
    actions = plans.plan_actions(plan)
    today = D(2026, 6, 1)
    assert plans.filtered(actions, today=today, rag="green") == [mixed[1]]
    assert (
        plans.filtered(actions, today=today, objective=mixed[2].objective_id)
        == mixed[2:]
    )
    assert plans.filtered(actions, today=today, overdue=True) == [mixed[0]]
    assert plans.filtered(actions, today=today, partner=agency_b.pk) == [mixed[0]]
    ordered = plans.filtered(actions, today=today, order="due")
    assert ordered[0] == mixed[0] and ordered[-1] == mixed[3]


# --- writes: checks ------------------------------------------------------------------


def test_an_action_needs_someone_accountable_and_responsible(pam, plan):
    objective = plans.save_objective(by=pam, plan=plan, number=1, title="Prevent")
    with pytest.raises(ValidationError) as error:
        plans.save_action(
            by=pam,
            plan=plan,
            objective=objective,
            description="Do it",
            accountable_name="",
            responsible_name="",
        )
    assert set(error.value.error_dict) == {"accountable_name", "responsible_name"}


def test_staff_of_another_area_cannot_be_named(pam, plan):
    elsewhere = AgencyFactory(local_area=LocalAreaFactory(name="Otherton"))
    stranger = UserFactory(agency=elsewhere, roles=[Role.PRACTITIONER])
    objective = plans.save_objective(by=pam, plan=plan, number=1, title="Prevent")
    with pytest.raises(ValidationError) as error:
        plans.save_action(
            by=pam,
            plan=plan,
            objective=objective,
            description="Do it",
            accountable_user=stranger,
            responsible_name="Team",
        )
    assert "accountable_user" in error.value.error_dict


def test_only_the_areas_partnership_manager_manages_the_plan(plan, carol, sam):
    for user in (carol, sam):
        with pytest.raises(PermissionDenied):
            plans.save_objective(by=user, plan=plan, number=1, title="Prevent")


def test_actions_are_numbered_in_their_sub_objective(pam, plan):
    first = add_action(pam, plan)
    second = add_action(pam, plan)
    assert (first.reference, second.reference) == ("1.1.1", "1.1.2")


# --- pages ---------------------------------------------------------------------------


def test_creating_a_plan_with_mistakes_shows_the_error_summary(client, pam):
    client.force_login(pam)
    response = client.post(
        reverse("reports:delivery_plan_create"),
        {
            "area": "testshire",
            "title": "",
            "period_start_0": "1",
            "period_start_1": "4",
            "period_start_2": "2026",
            "period_end_0": "1",
            "period_end_1": "4",
            "period_end_2": "2025",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter title" in html or "Enter a title" in html or "Enter the title" in html
    assert "The end of the period must be after its start" in html
    assert not DeliveryPlan.objects.exists()


def test_creating_a_plan(client, pam):
    client.force_login(pam)
    response = client.post(
        reverse("reports:delivery_plan_create"),
        {
            "area": "regional",
            "title": "Regional CSE plan 2026 to 2028",
            "period_start_0": "1",
            "period_start_1": "4",
            "period_start_2": "2026",
            "period_end_0": "31",
            "period_end_1": "3",
            "period_end_2": "2028",
        },
    )
    plan = DeliveryPlan.objects.get()
    assert response.status_code == 302
    assert plan.local_area is None and plan.created_by == pam


def test_changing_a_rating_without_a_reason_shows_the_error_summary(
    client, carol, action
):
    client.force_login(carol)
    url = reverse("reports:delivery_action_rag", args=[action.pk])
    opened = read_version(client, url)
    response = client.post(url, {"action_rag": "red", "outcome_rag": "none", **opened})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Enter why the rating has changed" in html
    assert 'href="#id_comment"' in html
    response = client.post(
        url,
        {
            "action_rag": "red",
            "outcome_rag": "none",
            "comment": "No progress",
            **opened,
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("reports:delivery_action_detail", args=[action.pk]))
    html = page.content.decode()
    assert "No progress" in html and "Rating history" in html
    assert "Red" in html


def test_posting_changes_is_refused_to_readers(client, bob, erin, sam, action):
    for user in (bob, erin, sam):
        client.force_login(user)
        assert (
            client.post(
                reverse("reports:delivery_evidence_add", args=[action.pk]),
                {"text": "x"},
            ).status_code
            == 403
        )
        assert (
            client.post(
                reverse("reports:delivery_action_rag", args=[action.pk]),
                {"action_rag": "red", "outcome_rag": "none", "comment": "x"},
            ).status_code
            == 403
        )
    assert not DeliveryEvidence.objects.exists() and not RagChange.objects.exists()


def test_adding_evidence_through_the_page(client, dave, action):
    client.force_login(dave)
    response = client.post(
        reverse("reports:delivery_evidence_add", args=[action.pk]),
        {"text": "Training delivered to 40 staff"},
    )
    assert response.status_code == 302
    page = client.get(reverse("reports:delivery_action_detail", args=[action.pk]))
    assert "Training delivered to 40 staff" in page.content.decode()


def test_adding_an_action_through_the_page(client, pam, plan, agency_b, dave):
    objective = plans.save_objective(by=pam, plan=plan, number=1, title="Prevent")
    client.force_login(pam)
    url = reverse("reports:delivery_action_create", args=[plan.pk])
    response = client.post(url, {"objective": objective.pk, "description": "Do it"})
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter who is accountable, or choose a member of staff" in html
    response = client.post(
        url,
        {
            "objective": objective.pk,
            "description": "Publish a guide for parents",
            "accountable_name": "Head of Community Safety",
            "responsible_user": dave.pk,
            "target_date_0": "30",
            "target_date_1": "9",
            "target_date_2": "2026",
            "partners": [agency_b.pk],
        },
    )
    assert response.status_code == 302
    action = DeliveryAction.objects.get()
    assert action.responsible_user == dave
    assert list(action.partners.all()) == [agency_b]
    assert action.action_rag == Rag.NOT_RATED


def test_the_plan_page_tags_overdue_actions_in_words(client, pam, plan):
    today = timezone.localdate()
    add_action(pam, plan, target=today, description="Due today")
    add_action(pam, plan, target=today - datetime.timedelta(days=1), description="Late")
    client.force_login(pam)
    url = reverse("reports:delivery_plan_detail", args=[plan.pk])
    html = client.get(url).content.decode()
    assert html.count(">Overdue</strong>") == 1
    assert "Not rated" in html
    filtered = client.get(url, {"overdue": "on"}).content.decode()
    assert "Late" in filtered and "Due today" not in filtered
    assert "1 action matches the filters" in filtered
    ordered = client.get(url, {"order": "due"}).content.decode()
    assert "match the filters" not in ordered and "Sub-objective 1.1" in ordered


def test_the_plan_page_takes_a_bounded_number_of_queries(
    client,
    pam,
    plan,
    agency_a,
    agency_b,
    dave,
    django_assert_max_num_queries,
    audit_event_queries,
):
    client.force_login(pam)
    url = reverse("reports:delivery_plan_detail", args=[plan.pk])

    def add(count: int) -> None:
        for i in range(count):
            add_action(
                pam,
                plan,
                number=1 + i % 3,
                responsible=dave if i % 2 else None,
                partners=[agency_a, agency_b],
                description=f"Numbered action {plan.objectives.count()}-{i}",
            )

    add(3)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(57)
    with django_assert_max_num_queries(17):  # 16 + the second-factor device
        response = client.get(url)
    assert response.content.decode().count("Numbered action") == 60
    # the same queries however many actions: none per action or per row
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few), (len(few), len(many))
    with django_assert_max_num_queries(12 + audit_event_queries):
        client.get(reverse("reports:delivery_plan_csv", args=[plan.pk]))


# --- exports -------------------------------------------------------------------------


def test_the_csv_has_the_as_at_date_every_column_and_is_spreadsheet_safe(
    client, bob, pam, plan, agency_b
):
    action = add_action(
        pam,
        plan,
        target=D(2020, 1, 1),
        partners=[agency_b],
        description='=HYPERLINK("http://example.org")',
    )
    plans.add_evidence(by=pam, action=action, text="Started")
    client.force_login(bob)
    response = client.get(reverse("reports:delivery_plan_csv", args=[plan.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][2:] == ["as at", timezone.localdate().isoformat()]
    assert rows[2] == plans.CSV_COLUMNS
    row = dict(zip(rows[2], rows[3], strict=True))
    assert row["description"].startswith("'=")
    assert row["overdue"] == "Overdue"
    assert row["partners"] == agency_b.name
    assert row["accountable"] == "Head of Community Safety"
    assert row["latest evidence"] == "Started"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_board_pdf_is_a_table_of_the_plan_as_at_today(client, pam, plan):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    action = add_action(pam, plan, target=yesterday)
    plans.change_rag(
        by=pam, action=action, action_rag="amber", outcome_rag="none", comment="Slow"
    )
    client.force_login(pam)
    response = client.get(reverse("reports:delivery_plan_pdf", args=[plan.pk]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "OFFICIAL-SENSITIVE" in text
    assert plan.title in text
    assert f"As at {timezone.localdate():%-d %B %Y}" in text
    for heading in ("Action RAG", "Accountable", "Responsibility", "Outcome RAG"):
        assert heading in text
    assert "Roll out the screening tool" in text and "Amber" in text
    assert text.count("Overdue") == 2  # the counts' heading, and the action's tag
    assert "As at" in text and yesterday.strftime("%-d %B %Y") in text
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PRINT).exists()


# --- import --------------------------------------------------------------------------

IMPORT_HEADER = ",".join(plans.IMPORT_COLUMNS)


def upload(client, plan, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("reports:delivery_plan_import", args=[plan.pk]),
        {"file": SimpleUploadedFile("plan.csv", text.encode(), "text/csv")},
    )


def test_importing_a_plan(client, pam, plan, agency_b, agency_c):
    text = "\n".join(
        [
            IMPORT_HEADER,
            f"1,Prevention,1.1,Use data,Keep the profile,Profile,Insight,Head of CS,"
            f'Analyst,Quarterly,2026-09-30,"{agency_b.name}; {agency_c.name}"',
            "1,,1.1,Use data,Share information,,,Head of CS,IG lead,,,",
            "2,Protection,,,Train staff,,,Workforce lead,Trainer,,,",
        ]
    )
    client.force_login(pam)
    response = upload(client, plan, text)
    assert response.status_code == 302
    assert DeliveryObjective.objects.filter(plan=plan).count() == 2
    actions = plans.plan_actions(plan)
    assert [a.reference for a in actions] == ["1.1.1", "1.1.2", "2.1"]
    assert {a.name for a in actions[0].partners.all()} == {agency_b.name, agency_c.name}
    assert actions[0].target_date == D(2026, 9, 30)


def test_an_import_with_one_bad_row_writes_nothing(client, pam, plan):
    text = "\n".join(
        [
            IMPORT_HEADER,
            "1,Prevention,1.1,Use data,Keep the profile,,,Head,Analyst,,,",
            "1,Prevention,1.1,Use data,Bad date,,,Head,Analyst,,31/12/2026,",
            "x,,,,,,,,,,,No Such Agency",
        ]
    )
    client.force_login(pam)
    response = upload(client, plan, text)
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Row 3: the target date must be written as 2026-03-31" in html
    assert "Row 4:" in html and "no partner agency is called" in html
    assert not DeliveryObjective.objects.filter(plan=plan).exists()
    assert not DeliveryAction.objects.exists()


# --- demonstration data --------------------------------------------------------------


def test_the_demo_plan_is_made_once_through_the_app_hook(pam, carol, agency_b):
    config = apps.get_app_config("reports")
    first = config.seed_demo(
        users={"partnership-manager": pam, "cse-coordinator": carol}
    )
    second = config.seed_demo(
        users={"partnership-manager": pam, "cse-coordinator": carol}
    )
    assert "Created the demo delivery plan" in first
    assert "already exists" in second
    plan = DeliveryPlan.objects.get()
    actions = plans.plan_actions(plan)
    assert len(actions) >= 8
    assert {a.action_rag for a in actions} >= {"red", "amber", "green", "blue"}
    assert any(a.is_overdue_on(timezone.localdate()) for a in actions)
    assert RagChange.objects.filter(action__objective__plan=plan).exists()
    text = str(plans.DEMO_OBJECTIVES)
    for name in ("Mandie", "Debbie", "Rebekah", "Whitmore", "Hutchings", "Coventry"):
        assert name not in text


def test_changing_an_actions_details_keeps_its_ratings(
    client, pam, plan, action, carol
):
    plans.change_rag(
        by=pam, action=action, action_rag="green", outcome_rag="none", comment="Going"
    )
    client.force_login(pam)
    url = reverse("reports:delivery_action_edit", args=[action.pk])
    form = client.get(url).context["form"]
    assert form.initial["responsible_user"] == action.responsible_user
    data = {
        "objective": action.objective_id,
        "sub_objective": str(action.sub_objective_id),
        "description": "Roll out the screening tool to schools too",
        "accountable_user": carol.pk,
        "responsible_name": "CSE team",
        "timescale": "Monthly",
        **read_version(client, url),
    }
    assert client.post(url, data).status_code == 302
    action.refresh_from_db()
    assert action.description.endswith("schools too")
    assert action.accountable_user == carol and action.responsible_user is None
    assert action.target_date is None and action.action_rag == Rag.GREEN
    event = AuditEvent.objects.filter(object_type="reports.deliveryaction").last()
    assert "description" in event.changes


def test_a_duplicate_objective_number_is_shown_in_the_error_summary(client, pam, plan):
    plans.save_objective(by=pam, plan=plan, number=1, title="Prevent")
    client.force_login(pam)
    response = client.post(
        reverse("reports:delivery_objective_create", args=[plan.pk]),
        {"number": 1, "title": "Protect"},
    )
    html = response.content.decode()
    assert "govuk-error-summary" in html and "Objective 1 already exists" in html
    assert 'href="#id_number"' in html


def test_changing_an_actions_details_from_a_stale_copy_keeps_a_rating_set_meanwhile(
    pam, plan, action
):
    """Two forms on one row: the details and the ratings. A details save writes only
    the details, so a rating set after the details form was read stays."""
    stale = DeliveryAction.objects.get(pk=action.pk)
    plans.change_rag(
        by=pam, action=action, action_rag="red", outcome_rag="none", comment="Stalled"
    )
    plans.save_action(
        by=pam,
        plan=plan,
        action=stale,
        objective=stale.objective,
        sub_objective=stale.sub_objective,
        description="Roll out the screening tool to schools too",
        responsible_name="CSE team",
        accountable_name="Head of service",
    )
    action.refresh_from_db()
    assert action.description.endswith("schools too")
    assert action.action_rag == Rag.RED


def test_the_details_form_saves_over_a_rating_changed_since_it_was_opened(
    client, pam, carol, action
):
    """Non-overlapping edits both land: the ratings are not on the details form."""
    client.force_login(pam)
    url = reverse("reports:delivery_action_edit", args=[action.pk])
    opened = read_version(client, url)
    plans.change_rag(
        by=carol, action=action, action_rag="red", outcome_rag="none", comment="Late"
    )
    data = {
        "objective": action.objective_id,
        "sub_objective": str(action.sub_objective_id),
        "description": "Roll out the screening tool to schools too",
        "responsible_name": "CSE team",
        "accountable_name": "Head of service",
        **opened,
    }
    assert client.post(url, data).status_code == 302
    action.refresh_from_db()
    assert action.description.endswith("schools too") and action.action_rag == Rag.RED


def test_a_stale_rating_form_shows_the_rating_set_since(client, pam, carol, action):
    client.force_login(pam)
    url = reverse("reports:delivery_action_rag", args=[action.pk])
    opened = read_version(client, url)
    plans.change_rag(
        by=carol, action=action, action_rag="red", outcome_rag="none", comment="Late"
    )
    response = client.post(
        url,
        {"action_rag": "green", "outcome_rag": "none", "comment": "Done", **opened},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Carol" in page and "Action RAG" in page
    action.refresh_from_db()
    assert action.action_rag == Rag.RED
    assert action.rag_changes.count() == 1
