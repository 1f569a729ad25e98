"""Importing children from a CSV file (cse.importing and manage.py import_children)."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cse import services
from cse.dates import add_months
from cse.importing import ImportRejected, RowError, import_children
from cse.models import AuditEvent, Child, ChronologyEntry, Subject, SubjectAccess
from tests.factories import make_child

FIXTURES = Path(__file__).parent / "fixtures"
GOOD_FILE = FIXTURES / "children_good.csv"

HEADER = [
    "local_reference",
    "forename",
    "surname",
    "known_as",
    "date_of_birth",
    "gender",
    "ethnicity",
    "looked_after",
    "responsible_authority",
    "legal_status",
]


def row(**overrides) -> dict[str, str]:
    values = {
        "local_reference": "REF-1",
        "forename": "Testchild",
        "surname": "Sampleton",
        "known_as": "",
        "date_of_birth": "2012-01-01",
        "gender": "female",
        "ethnicity": "WBRI",
        "looked_after": "no",
        "responsible_authority": "",
        "legal_status": "",
    }
    values.update(overrides)
    return values


def csv_bytes(*rows: dict[str, str], header: list[str] | None = None) -> bytes:
    header = header or HEADER
    lines = [",".join(header)]
    lines += [",".join(r.get(name.strip(), "") for name in header) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def good_rows(count: int, prefix: str = "REF") -> list[dict[str, str]]:
    return [
        row(local_reference=f"{prefix}-{n}", surname=f"Sampleton{n}")
        for n in range(count)
    ]


def rejected(content, agency) -> list[RowError]:
    with pytest.raises(ImportRejected) as caught:
        import_children(file=io.BytesIO(content), agency=agency, by=None)
    return caught.value.errors


def nothing_written() -> bool:
    return (
        not Subject.objects.exists()
        and not SubjectAccess.objects.exists()
        and not ChronologyEntry.objects.exists()
        and not AuditEvent.objects.exists()
    )


# --- a good file ----------------------------------------------------------------------


def test_a_good_file_creates_children_owned_by_the_agency_with_an_owner_access_row(
    agency_a, alice
):
    with GOOD_FILE.open("rb") as stream:
        report = import_children(file=stream, agency=agency_a, by=alice)

    assert (report.created, report.skipped) == (3, 0)
    children = {c.local_reference: c for c in Child.objects.all()}
    assert set(children) == {"TST-001", "TST-002", "TST-003"}
    for child in children.values():
        assert child.owner_agency == agency_a
        assert child.created_by == alice
        access = SubjectAccess.objects.get(subject=child)
        assert (access.agency, access.basis) == (agency_a, SubjectAccess.Basis.OWNER)
        assert ChronologyEntry.objects.filter(
            subject=child, title__contains="imported"
        ).exists()
    assert sorted(report.created_ids) == sorted(c.pk for c in children.values())


def test_the_values_in_the_file_are_stored_on_the_child(agency_a, alice):
    with GOOD_FILE.open("rb") as stream:
        import_children(file=stream, agency=agency_a, by=alice)

    first = Child.objects.get(local_reference="TST-001")
    assert (first.forename, first.surname, first.known_as) == (
        "Testchild",
        "Sampleton",
        "Sammy",
    )
    assert first.date_of_birth == datetime.date(2012, 1, 1)
    assert first.gender == "female"
    assert first.ethnicity == "WBRI"
    assert first.legal_status == Child.LegalStatus.NOT_LOOKED_AFTER
    assert first.responsible_authority == ""
    assert "tst 001" in first.search_text

    second = Child.objects.get(local_reference="TST-002")
    assert second.gender == "male"
    assert second.ethnicity == "NOBT"
    assert second.legal_status == Child.LegalStatus.CARE_ORDER
    assert second.responsible_authority == "Testshire County Council"

    third = Child.objects.get(local_reference="TST-003")
    assert third.gender == "not_known"
    assert third.ethnicity == "AIND"


def test_looked_after_with_no_legal_status_is_recorded_as_section_20_and_counted(
    agency_a, alice
):
    content = csv_bytes(
        row(
            local_reference="A",
            looked_after="YES",
            responsible_authority="Testshire CC",
        ),
        row(
            local_reference="B",
            looked_after="yes",
            responsible_authority="Testshire CC",
            legal_status="care_order",
        ),
        header=HEADER[:-1] + ["legal_status"],
    )
    report = import_children(file=io.BytesIO(content), agency=agency_a, by=alice)

    assert (
        Child.objects.get(local_reference="A").legal_status
        == Child.LegalStatus.SECTION_20
    )
    assert (
        Child.objects.get(local_reference="B").legal_status
        == Child.LegalStatus.CARE_ORDER
    )
    assert report.assumed_section_20 == 1


def test_a_file_without_the_legal_status_column_is_accepted(agency_a, alice):
    content = csv_bytes(
        row(
            local_reference="A",
            looked_after="yes",
            responsible_authority="Testshire CC",
        ),
        row(local_reference="B", looked_after="no"),
        header=HEADER[:-1],
    )
    report = import_children(file=io.BytesIO(content), agency=agency_a, by=alice)

    assert report.created == 2
    assert (
        Child.objects.get(local_reference="A").legal_status
        == Child.LegalStatus.SECTION_20
    )
    assert (
        Child.objects.get(local_reference="B").legal_status
        == Child.LegalStatus.NOT_LOOKED_AFTER
    )


def test_columns_may_come_in_any_order(agency_a, alice):
    content = csv_bytes(row(), header=list(reversed(HEADER)))
    assert (
        import_children(file=io.BytesIO(content), agency=agency_a, by=alice).created
        == 1
    )


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("female", "female"),
        ("F", "female"),
        ("m", "male"),
        ("Male", "male"),
        ("other", "other"),
        ("not_known", "not_known"),
        ("Not known", "not_known"),
        ("unknown", "not_known"),
        ("", "not_known"),
    ],
)
def test_gender_accepts_the_choice_values_and_obvious_words(
    agency_a, alice, written, stored
):
    import_children(
        file=io.BytesIO(csv_bytes(row(gender=written))), agency=agency_a, by=alice
    )
    assert Child.objects.get().gender == stored


def test_ethnicity_codes_are_accepted_in_any_case_and_blank_means_not_obtained(
    agency_a, alice
):
    content = csv_bytes(
        row(local_reference="A", ethnicity="bcrb"),
        row(local_reference="B", ethnicity=""),
    )
    import_children(file=io.BytesIO(content), agency=agency_a, by=alice)
    assert Child.objects.get(local_reference="A").ethnicity == "BCRB"
    assert Child.objects.get(local_reference="B").ethnicity == "NOBT"


@pytest.mark.parametrize("looked_after", ["yes", "no"])
@pytest.mark.parametrize("status", ["emergency_protection_order", "police_protection"])
def test_short_term_protection_statuses_are_accepted_whether_or_not_looked_after(
    agency_a, alice, looked_after, status
):
    content = csv_bytes(
        row(
            looked_after=looked_after,
            legal_status=status,
            responsible_authority="Testshire CC",
        )
    )
    import_children(file=io.BytesIO(content), agency=agency_a, by=alice)
    assert Child.objects.get().legal_status == status


def test_a_utf8_byte_order_mark_is_accepted(agency_a, alice):
    content = "\ufeff".encode() + csv_bytes(row(forename="Testchíld"))
    assert (
        import_children(file=io.BytesIO(content), agency=agency_a, by=alice).created
        == 1
    )
    assert Child.objects.get().forename == "Testchíld"


def test_an_uploaded_file_text_stream_or_bytes_can_be_imported(agency_a, alice):
    upload = SimpleUploadedFile("children.csv", csv_bytes(row(local_reference="A")))
    text = io.StringIO(csv_bytes(row(local_reference="B")).decode())
    raw = csv_bytes(row(local_reference="C"))
    for source in (upload, text, raw):
        assert import_children(file=source, agency=agency_a, by=alice).created == 1
    assert Child.objects.count() == 3


def test_rows_whose_cells_are_all_blank_are_ignored(agency_a, alice):
    content = csv_bytes(row(local_reference="A")) + b",,,,,,,,,\r\n\r\n"
    assert (
        import_children(file=io.BytesIO(content), agency=agency_a, by=alice).created
        == 1
    )


def test_one_import_audit_event_records_the_counts_without_names(agency_a, alice):
    with GOOD_FILE.open("rb") as stream:
        report = import_children(file=stream, agency=agency_a, by=alice)

    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.user == alice
    assert event.agency == agency_a
    assert "Imported 3 children" in event.summary
    assert "0 already present" in event.summary
    assert "Testchild" not in event.summary and "Sampleton" not in event.summary
    assert event.detail["created"] == 3
    assert event.detail["skipped"] == 0
    assert event.detail["agency"] == agency_a.pk
    assert sorted(event.detail["subject_ids"]) == sorted(report.created_ids)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE).count() == 3


def test_importing_without_a_user_works_and_is_audited_without_one(agency_a):
    with GOOD_FILE.open("rb") as stream:
        import_children(file=stream, agency=agency_a, by=None)

    assert Child.objects.filter(owner_agency=agency_a, created_by=None).count() == 3
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert (event.user, event.username) == (None, "")


# --- re-importing ---------------------------------------------------------------------


def test_re_importing_the_same_file_changes_nothing(agency_a, alice):
    with GOOD_FILE.open("rb") as stream:
        import_children(file=stream, agency=agency_a, by=alice)
    counts = (
        Subject.objects.count(),
        SubjectAccess.objects.count(),
        ChronologyEntry.objects.count(),
    )
    creates = AuditEvent.objects.filter(action=AuditEvent.Action.CREATE).count()
    before = {c.pk: (c.forename, c.updated_at) for c in Child.objects.all()}

    with GOOD_FILE.open("rb") as stream:
        report = import_children(file=stream, agency=agency_a, by=alice)

    assert (report.created, report.skipped) == (0, 3)
    assert (
        Subject.objects.count(),
        SubjectAccess.objects.count(),
        ChronologyEntry.objects.count(),
    ) == counts
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE).count() == creates
    assert {c.pk: (c.forename, c.updated_at) for c in Child.objects.all()} == before


def test_a_row_whose_reference_the_agency_already_holds_is_skipped_unchanged(
    agency_a, alice
):
    existing = make_child(
        alice, forename="Testchild", surname="Original", local_reference="REF-1"
    )
    content = csv_bytes(
        row(local_reference="REF-1", surname="Changed"), row(local_reference="REF-2")
    )

    report = import_children(file=io.BytesIO(content), agency=agency_a, by=alice)

    assert (report.created, report.skipped) == (1, 1)
    existing.refresh_from_db()
    assert existing.surname == "Original"
    assert Child.objects.filter(local_reference="REF-1").count() == 1


def test_the_same_reference_held_by_another_agency_does_not_count(
    agency_a, agency_b, dave
):
    make_child(dave, local_reference="REF-1")
    report = import_children(
        file=io.BytesIO(csv_bytes(row())), agency=agency_a, by=None
    )
    assert (report.created, report.skipped) == (1, 0)
    assert Child.objects.filter(local_reference="REF-1", owner_agency=agency_a).exists()


def test_checking_for_existing_references_does_not_query_once_per_row(agency_a, alice):
    small, large = csv_bytes(*good_rows(3, "S")), csv_bytes(*good_rows(40, "L"))
    import_children(file=io.BytesIO(small), agency=agency_a, by=alice)
    import_children(file=io.BytesIO(large), agency=agency_a, by=alice)

    with CaptureQueriesContext(connection) as small_queries:
        import_children(file=io.BytesIO(small), agency=agency_a, by=alice)
    with CaptureQueriesContext(connection) as large_queries:
        import_children(file=io.BytesIO(large), agency=agency_a, by=alice)

    assert len(large_queries) == len(small_queries)


# --- bad values -----------------------------------------------------------------------

TODAY = timezone.localdate()


@pytest.mark.parametrize(
    ("overrides", "column", "reason"),
    [
        ({"local_reference": ""}, "local_reference", "Enter a local reference"),
        ({"local_reference": "R" * 51}, "local_reference", "50 characters or fewer"),
        ({"forename": ""}, "forename", "Enter a forename"),
        ({"surname": " "}, "surname", "Enter a surname"),
        ({"surname": "S" * 101}, "surname", "100 characters or fewer"),
        ({"date_of_birth": ""}, "date_of_birth", "Enter the date of birth"),
        ({"date_of_birth": "01/01/2012"}, "date_of_birth", "YYYY-MM-DD"),
        ({"date_of_birth": "2012-1-1"}, "date_of_birth", "YYYY-MM-DD"),
        ({"date_of_birth": "20120101"}, "date_of_birth", "YYYY-MM-DD"),
        ({"date_of_birth": "2012-02-30"}, "date_of_birth", "real date"),
        (
            {"date_of_birth": (TODAY + datetime.timedelta(days=1)).isoformat()},
            "date_of_birth",
            "must be in the past",
        ),
        ({"date_of_birth": TODAY.isoformat()}, "date_of_birth", "must be in the past"),
        (
            {"date_of_birth": add_months(TODAY, -12 * 26).isoformat()},
            "date_of_birth",
            "25 or under",
        ),
        ({"gender": "1"}, "gender", "“1” is not a gender"),
        ({"gender": "girl"}, "gender", "use female (or F), male (or M)"),
        ({"ethnicity": "WXYZ"}, "ethnicity", "“WXYZ” is not a census ethnicity code"),
        ({"ethnicity": "White British"}, "ethnicity", "is not a census ethnicity code"),
        ({"looked_after": ""}, "looked_after", "Enter yes or no"),
        ({"looked_after": "y"}, "looked_after", "“y” is not yes or no"),
        ({"legal_status": "s20"}, "legal_status", "“s20” is not a legal status"),
        (
            {"looked_after": "no", "legal_status": "care_order"},
            "legal_status",
            "care_order means the child is looked after, but looked_after is no",
        ),
        (
            {"looked_after": "no", "legal_status": "section_20"},
            "legal_status",
            "looked_after is no",
        ),
        (
            {
                "looked_after": "yes",
                "legal_status": "not_looked_after",
                "responsible_authority": "Testshire CC",
            },
            "legal_status",
            "not_looked_after contradicts looked_after being yes",
        ),
        (
            {"looked_after": "yes", "responsible_authority": ""},
            "responsible_authority",
            "Enter the responsible local authority",
        ),
    ],
)
def test_each_bad_value_is_reported_against_its_row_and_column_and_nothing_is_written(
    agency_a, overrides, column, reason
):
    content = csv_bytes(*good_rows(5), row(**{"local_reference": "LAST", **overrides}))

    errors = rejected(content, agency_a)

    assert len(errors) == 1
    assert (errors[0].row, errors[0].column) == (7, column)
    assert reason in errors[0].reason
    assert nothing_written()


def test_every_error_in_the_file_is_reported_in_row_order(agency_a):
    content = csv_bytes(
        row(local_reference="A", date_of_birth="2012-13-01", gender="x"),
        row(local_reference="B"),
        row(local_reference="C", forename="", ethnicity="nope"),
    )
    errors = rejected(content, agency_a)
    assert [(e.row, e.column) for e in errors] == [
        (2, "date_of_birth"),
        (2, "gender"),
        (4, "forename"),
        (4, "ethnicity"),
    ]


def test_error_reasons_do_not_repeat_names_or_dates_of_birth(agency_a):
    content = csv_bytes(
        row(
            local_reference="A",
            forename="Testchild",
            surname="S" * 101,
            date_of_birth="2012/01/01",
        ),
        row(local_reference="A", forename="Testchild", surname="Sampleton"),
    )
    text = " ".join(str(error) for error in rejected(content, agency_a))
    assert (
        "Testchild" not in text and "Sampleton" not in text and "2012/01/01" not in text
    )


def test_a_reference_repeated_within_the_file_is_an_error_on_the_second_row(agency_a):
    content = csv_bytes(
        row(local_reference="DUP"),
        row(local_reference="OTHER"),
        row(local_reference="DUP"),
    )
    errors = rejected(content, agency_a)
    assert errors == [
        RowError(
            4,
            "local_reference",
            "This reference is already used on row 2; each row needs its own",
        )
    ]
    assert nothing_written()


def test_a_row_with_the_wrong_number_of_cells_is_an_error(agency_a):
    content = csv_bytes(row(local_reference="A"))
    content += b"B,Testchild,Sampleton\r\n"
    content += b"C,Testchild,Sampleton,,2012-01-01,female,WBRI,no,,,extra\r\n"
    errors = rejected(content, agency_a)
    assert [(e.row, e.column) for e in errors] == [(3, ""), (4, "")]
    assert "3 cells but the header has 10 columns" in errors[0].reason
    assert "11 cells" in errors[1].reason
    assert nothing_written()


def test_a_cell_with_a_line_break_still_counts_as_one_spreadsheet_row(agency_a):
    content = csv_bytes(
        row(local_reference="A", known_as='"Two\r\nlines"'),
        row(local_reference="B", gender="bad"),
    )
    errors = rejected(content, agency_a)
    assert [(e.row, e.column) for e in errors] == [(3, "gender")]


# --- bad files ------------------------------------------------------------------------


def test_missing_header_columns_are_named(agency_a):
    header = [name for name in HEADER if name not in ("gender", "looked_after")]
    errors = rejected(csv_bytes(row(), header=header), agency_a)
    assert errors == [RowError(1, "", "Missing columns: “gender”, “looked_after”")]
    assert nothing_written()


def test_unknown_header_columns_are_named(agency_a):
    errors = rejected(
        csv_bytes(row(), header=HEADER + ["nhs_number", "notes"]), agency_a
    )
    assert errors == [RowError(1, "", "Unknown columns: “nhs_number”, “notes”")]
    assert nothing_written()


def test_a_repeated_header_column_is_an_error(agency_a):
    errors = rejected(csv_bytes(row(), header=HEADER + ["surname"]), agency_a)
    assert errors == [RowError(1, "", "Column repeated: “surname”")]


def test_header_names_are_exact_apart_from_surrounding_spaces(agency_a, alice):
    spaced = [f" {name} " for name in HEADER]
    assert (
        import_children(
            file=csv_bytes(row(), header=spaced), agency=agency_a, by=alice
        ).created
        == 1
    )

    capitalised = ["Forename" if name == "forename" else name for name in HEADER]
    errors = rejected(csv_bytes(row(), header=capitalised), agency_a)
    assert [e.reason for e in errors] == [
        "Unknown column: “Forename”",
        "Missing column: “forename”",
    ]


def test_a_file_that_is_not_utf8_is_rejected(agency_a):
    content = csv_bytes(
        row(local_reference="A"), row(local_reference="B", forename="Testchíld")
    )
    errors = rejected(content.decode().encode("latin-1"), agency_a)
    assert len(errors) == 1
    assert errors[0].row is None
    assert "not UTF-8" in errors[0].reason and "line 3" in errors[0].reason
    assert nothing_written()


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n \r\n"])
def test_an_empty_file_is_rejected(agency_a, content):
    assert rejected(content, agency_a) == [RowError(None, "", "The file is empty")]


def test_a_file_with_only_a_header_is_rejected(agency_a):
    assert rejected(csv_bytes(), agency_a) == [
        RowError(None, "", "The file has no rows under the header")
    ]


def test_an_inactive_agency_cannot_import(agency_a):
    agency_a.is_active = False
    agency_a.save()
    errors = rejected(csv_bytes(row()), agency_a)
    assert "not active" in errors[0].reason
    assert nothing_written()


def test_a_failure_part_way_through_writing_leaves_nothing(agency_a, monkeypatch):
    real_create = services.create_subject
    calls = []

    def failing_create(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise DatabaseError("simulated failure")
        return real_create(**kwargs)

    monkeypatch.setattr(services, "create_subject", failing_create)
    with pytest.raises(DatabaseError):
        import_children(file=csv_bytes(*good_rows(5)), agency=agency_a, by=None)

    assert len(calls) == 3
    assert nothing_written()


# --- the command ----------------------------------------------------------------------


def run_command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_children", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_a_file_and_says_how_many(agency_a):
    out, _ = run_command(str(GOOD_FILE), "--agency", agency_a.slug)
    assert "Imported 3 children; 0 already present (unchanged)." in out
    assert "1 looked-after child has no legal_status" in out
    assert Child.objects.filter(owner_agency=agency_a).count() == 3

    out, _ = run_command(str(GOOD_FILE), "--agency", agency_a.slug)
    assert "Imported 0 children; 3 already present (unchanged)." in out
    assert Child.objects.count() == 3


def test_the_command_fails_on_a_bad_file_and_prints_every_error(agency_a, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_bytes(
            row(local_reference="A"),
            row(local_reference="B", gender="x"),
            row(local_reference="C", looked_after="no", legal_status="care_order"),
        )
    )
    err = io.StringIO()
    with pytest.raises(
        CommandError, match="rejected \\(2 errors\\); nothing was imported"
    ):
        call_command(
            "import_children", str(path), "--agency", agency_a.slug, stderr=err
        )

    printed = err.getvalue()
    assert "Row 3, gender: “x” is not a gender" in printed
    assert "Row 4, legal_status: care_order means the child is looked after" in printed
    assert nothing_written()


def test_the_command_names_an_unknown_agency_slug(agency_a):
    with pytest.raises(
        CommandError, match="No agency has the slug “nowhere”"
    ) as caught:
        run_command(str(GOOD_FILE), "--agency", "nowhere")
    assert agency_a.slug in str(caught.value)
    assert nothing_written()


def test_the_command_reports_a_file_it_cannot_read(agency_a, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run_command(str(tmp_path / "missing.csv"), "--agency", agency_a.slug)
