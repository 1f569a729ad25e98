import io

from django.core.management import call_command

from tests.missing.helpers import at, episode


def test_cmog_missing_list_prints_one_row_per_child_and_rule(alice, child):
    for day in (1, 10, 20):
        episode(child, alice, at(2020, 3, day, 10), returned=at(2020, 3, day, 20))
    episode(child, alice, at(2020, 4, 1, 10), returned=at(2020, 4, 4, 10))
    out = io.StringIO()
    call_command("cmog_missing_list", "--as-of", "2020-04-30", stdout=out)
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


def test_cmog_missing_list_counts_only_the_12_months_to_the_date(alice, child):
    for day in (1, 10, 20):
        episode(child, alice, at(2019, 3, day, 10), returned=at(2019, 3, day, 20))
    out = io.StringIO()
    call_command("cmog_missing_list", "--as-of", "2020-03-21", stdout=out)
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
    call_command("rhi_due", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[0] == "police_reference,child_id,returned_at,due_at,status"
    assert (
        lines[1] == f"TP/9,{child.pk},2020-03-01T20:00:00Z,2020-03-04T20:00:00Z,overdue"
    )
    ep.interview.completed_at = at(2020, 3, 3, 10)
    ep.interview.save()
    out = io.StringIO()
    call_command("rhi_due", stdout=out)
    assert out.getvalue().strip().splitlines()[1].endswith("completed_in_time")
