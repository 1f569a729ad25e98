import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cse.models import AuditEvent, Role
from tests.factories import UserFactory, make_child
from tests.missing.helpers import at, episode


def test_cmog_missing_list_prints_one_row_per_child_and_rule(alice, carol, child):
    for day in (1, 10, 20):
        episode(child, alice, at(2020, 3, day, 10), returned=at(2020, 3, day, 20))
    episode(child, alice, at(2020, 4, 1, 10), returned=at(2020, 4, 4, 10))
    out = io.StringIO()
    call_command(
        "cmog_missing_list", "--as-of", "2020-04-30", "--for", "carol", stdout=out
    )
    lines = out.getvalue().strip().splitlines()
    assert lines[0] == "child_id,forename,surname,date_of_birth,rule,first_met_at"
    assert (
        f"{child.pk},Testchild,Sampleton,2011-01-01,three_in_30_days,2020-03-20T10:00:00Z"
        in lines
    )
    assert (
        f"{child.pk},Testchild,Sampleton,2011-01-01,one_over_72_hours,2020-04-04T10:00:00Z"
        in lines
    )
    assert len(lines) == 4


def test_cmog_missing_list_counts_only_the_12_months_to_the_date(alice, carol, child):
    for day in (1, 10, 20):
        episode(child, alice, at(2019, 3, day, 10), returned=at(2019, 3, day, 20))
    out = io.StringIO()
    call_command(
        "cmog_missing_list", "--as-of", "2020-03-21", "--for", "carol", stdout=out
    )
    assert len(out.getvalue().strip().splitlines()) == 1


def test_rhi_due_prints_each_interview_and_its_status(alice, child):
    ep = episode(
        child,
        alice,
        at(2020, 3, 1, 10),
        returned=at(2020, 3, 1, 20),
        police_reference="TP/9",
    )
    out = io.StringIO()
    call_command("rhi_due", "--for", "alice", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[0] == "police_reference,child_id,returned_at,due_at,status"
    assert (
        lines[1] == f"TP/9,{child.pk},2020-03-01T20:00:00Z,2020-03-04T20:00:00Z,overdue"
    )
    ep.interview.completed_at = at(2020, 3, 3, 10)
    ep.interview.save()
    out = io.StringIO()
    call_command("rhi_due", "--for", "alice", stdout=out)
    assert out.getvalue().strip().splitlines()[1].endswith("completed_in_time")


def _three_in_30_days(child, by):
    for day in (1, 10, 20):
        episode(child, by, at(2020, 3, day, 10), returned=at(2020, 3, day, 20))


def test_cmog_missing_list_lists_only_the_children_its_reader_may_see(
    alice, carol, erin, child
):
    _three_in_30_days(child, alice)
    _three_in_30_days(make_child(erin, forename="Otherchild"), erin)
    out = io.StringIO()
    call_command(
        "cmog_missing_list", "--as-of", "2020-04-30", "--for", "carol", stdout=out
    )
    text = out.getvalue()
    assert "Testchild" in text and "Otherchild" not in text
    event = AuditEvent.objects.get(action="export", user=carol)
    assert event.detail == {"subject_ids": [child.pk]}


def test_cmog_missing_list_needs_a_reader_who_administers_reports(alice, child):
    with pytest.raises(CommandError):
        call_command("cmog_missing_list", "--as-of", "2020-04-30", stdout=io.StringIO())
    with pytest.raises(CommandError, match="does not administer"):
        call_command(
            "cmog_missing_list",
            "--as-of",
            "2020-04-30",
            "--for",
            "alice",
            stdout=io.StringIO(),
        )


def test_rhi_due_lists_only_interviews_its_reader_may_see_and_guards_formulas(
    alice, erin, child
):
    episode(child, alice, at(2020, 3, 1, 10), returned=at(2020, 3, 1, 20))
    hidden = make_child(erin, forename="Otherchild")
    episode(
        hidden,
        erin,
        at(2020, 3, 1, 10),
        returned=at(2020, 3, 1, 20),
        police_reference="=HYPERLINK(1)",
    )
    out = io.StringIO()
    call_command("rhi_due", "--for", "alice", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 2 and f",{hidden.pk}," not in out.getvalue()
    out = io.StringIO()
    call_command("rhi_due", "--for", "erin", stdout=out)
    assert "'=HYPERLINK(1)" in out.getvalue()
    assert AuditEvent.objects.filter(action="export", user=erin).exists()


def test_rhi_due_is_refused_for_someone_who_sees_no_records(pam):
    with pytest.raises(CommandError, match="individual records"):
        call_command("rhi_due", "--for", "pam", stdout=io.StringIO())
    UserFactory(username="gone", is_active=False, roles=[Role.PRACTITIONER])
    with pytest.raises(CommandError, match="No active user"):
        call_command("rhi_due", "--for", "gone", stdout=io.StringIO())
