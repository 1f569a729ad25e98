import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cse import services as core
from missing.models import MatchingQueueItem, MissingEpisode, ReturnInterview
from tests.factories import make_child
from tests.missing.helpers import at

HEADER = "police_reference,forename,surname,date_of_birth,gender,category,missing_from,reported_at,last_seen_at,returned_at,found_location,risk_level,notes\n"


def row(
    ref="TP/1",
    forename="Testchild",
    surname="Sampleton",
    dob="2011-01-01",
    returned="",
    category="missing",
    reported="2020-03-01T20:00",
    seen="2020-03-01T18:00",
):
    return f"{ref},{forename},{surname},{dob},female,{category},home,{reported},{seen},{returned},Test Park,high,\n"


def write(tmp_path, text):
    path = tmp_path / "reports.csv"
    path.write_text(text)
    return str(path)


def test_a_matched_row_becomes_an_episode_seen_by_agencies_that_see_the_child(
    tmp_path, alice, child
):
    call_command(
        "import_missing_reports",
        write(tmp_path, HEADER + row(forename=" testCHILD ", surname="SAMPLETON")),
        stdout=io.StringIO(),
    )
    ep = MissingEpisode.objects.get()
    assert ep.child == child
    assert ep.started_at == at(
        2020, 3, 1, 18
    )  # local time without offset, GMT in March


def test_importing_the_same_file_twice_changes_nothing(tmp_path, alice, child):
    path = write(tmp_path, HEADER + row() + row("TP/2", "Nomatch", "Person"))
    call_command("import_missing_reports", path, stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_missing_reports", path, stdout=out)
    assert "0 new episodes, 0 updated, 1 unchanged, 0 held" in out.getvalue()
    assert (
        MissingEpisode.objects.count() == 1 and MatchingQueueItem.objects.count() == 1
    )


def test_a_later_file_adds_the_return_and_starts_the_clock(tmp_path, alice, child):
    call_command(
        "import_missing_reports", write(tmp_path, HEADER + row()), stdout=io.StringIO()
    )
    call_command(
        "import_missing_reports",
        write(tmp_path, HEADER + row(returned="2020-03-02T09:00+00:00")),
        stdout=io.StringIO(),
    )
    assert ReturnInterview.objects.get().due_at == at(2020, 3, 5, 9)


def test_a_bad_row_rejects_the_whole_file_listing_row_column_and_reason(
    tmp_path, alice, child
):
    path = write(
        tmp_path,
        HEADER + row() + row("TP/2", category="lost") + row("TP/3", dob="01/02/2011"),
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_missing_reports", path, stdout=io.StringIO(), stderr=err)
    assert "Row 3, category: Must be one of missing|absent" in err.getvalue()
    assert "Row 4, date_of_birth" in err.getvalue()
    assert (
        not MissingEpisode.objects.exists() and not MatchingQueueItem.objects.exists()
    )


def test_an_alias_matches_and_two_children_are_held_as_ambiguous(tmp_path, alice):
    make_child(alice, forename="Testchild", surname="Sampleton", aliases=["Tee Sample"])
    make_child(alice, forename="Testchild", surname="Sampleton")
    path = write(tmp_path, HEADER + row("TP/1", "Tee", "Sample") + row("TP/2"))
    call_command("import_missing_reports", path, stdout=io.StringIO())
    assert MissingEpisode.objects.count() == 1
    item = MatchingQueueItem.objects.get()
    assert item.reason == "ambiguous" and len(item.candidate_ids) == 2


def test_the_administrator_resolves_a_held_report(
    client_for, tmp_path, alice, bob, erin, child
):
    call_command(
        "import_missing_reports",
        write(tmp_path, HEADER + row(forename="Testkid")),
        "--area",
        "testshire",
        stdout=io.StringIO(),
    )
    item = MatchingQueueItem.objects.get()
    url = reverse("missing:queue_resolve", args=[item.pk])
    assert client_for(erin).get(url).status_code == 403
    client = client_for(bob)
    assert client.get(reverse("missing:queue")).status_code == 200
    response = client.post(url, {"action": "match", "reference": child.reference})
    assert response.status_code == 302
    assert MissingEpisode.objects.get().child == child
    item.refresh_from_db()
    assert item.state == "matched"


def test_the_upload_page_imports_a_file(client_for, carol, child):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("r.csv", (HEADER + row()).encode())
    response = client_for(carol).post(
        reverse("missing:import_upload"), {"file": upload}
    )
    assert response.status_code == 302
    assert MissingEpisode.objects.count() == 1


def test_an_import_outside_the_area_does_not_match(tmp_path, alice, child, area):
    core  # noqa: B018 - the child has no area of its own: its agency's area counts
    from cse.models import LocalArea

    other = LocalArea.objects.create(name="Otherby", slug="otherby")
    call_command(
        "import_missing_reports",
        write(tmp_path, HEADER + row()),
        "--area",
        "otherby",
        stdout=io.StringIO(),
    )
    assert MatchingQueueItem.objects.get().local_area == other
