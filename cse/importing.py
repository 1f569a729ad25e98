"""Bulk import of children from a CSV file, for the command line and the upload page.

    from cse.importing import ImportRejected, import_children

    try:
        report = import_children(file=uploaded_file, agency=agency, by=request.user)
    except ImportRejected as rejected:
        ...  # rejected.errors: list[RowError(row, column, reason)]
    else:
        ...  # report.created, report.skipped, report.assumed_section_20

The file
--------
UTF-8 CSV (a leading byte-order mark, as Excel's "CSV UTF-8" writes, is fine), comma
separated, with this header row in any order:

    local_reference, forename, surname, known_as, date_of_birth, gender, ethnicity,
    looked_after, responsible_authority    and optionally    legal_status

Header names are matched exactly (surrounding spaces are ignored); an unknown, missing
or repeated column rejects the file. Cells are trimmed of surrounding spaces. Rows whose
cells are all blank are ignored.

- local_reference: required, at most 50 characters, unique within the file. It is
  the key: a row whose reference already belongs to a child owned by the importing
  agency is skipped and that child left unchanged, so re-importing a file changes
  nothing. References are compared exactly (case and inner spaces matter). The same
  reference held by another agency does not count: agencies' case numbers are their
  own.
- forename, surname: required. known_as: optional.
- date_of_birth: required (the file has no estimated-age column), strictly
  YYYY-MM-DD, before the import day, and the young person must be 25 or under on the
  import day.
- gender: blank (recorded as not known) or, ignoring case, one of
  female / f, male / m, other, not_known / "not known" / unknown.
  Nothing else is guessed: numeric codes mean different things in different
  systems and are refused.
- ethnicity: blank (recorded as NOBT, not yet obtained) or one of the four-letter
  census codes in `cse.models.Ethnicity`, ignoring case.
- looked_after: yes or no, ignoring case; required.
- legal_status (optional column; cell may be blank): not_looked_after, care_order,
  interim_care_order, section_20, emergency_protection_order, police_protection.
  It must agree with looked_after: "no" with care_order, interim_care_order or
  section_20 is an error, and so is "yes" with not_looked_after. Emergency
  protection and police protection are short-term statuses that may or may not come
  with accommodation by the authority, so they are accepted with either answer.
- responsible_authority: required when looked_after is yes.

looked_after = yes with no legal_status is recorded as **section_20**, never as a
care order. The later legal rules (child abduction warning notices above all) treat
children in care under a care order differently from children accommodated under
section 20: wrongly recording a section 20 child as subject to a care order could
produce a notice that is legally wrong, whereas the reverse at worst withholds a
notice until someone corrects the status. The report counts the children recorded
this way (`assumed_section_20`) so the person importing can be told to check them.

All or nothing
--------------
The whole file is checked before anything is written. Any problem rejects the file
with every error found (`ImportRejected.errors`), each with the row number as a
spreadsheet counts it (the header is row 1) and the column; nothing is written.
Error reasons never repeat names or dates of birth from the file, only row numbers,
columns and the offending codes, so they are safe to show and to log. The writes run
in one transaction, so a failure part way through leaves nothing behind either.

Each child is created through `services.create_subject` (owner access row,
chronology entry and CREATE audit event), and the import as a whole adds one IMPORT
audit event with the counts and the new records' ids, never names.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cse import audit, services
from cse.dates import age_on
from cse.models import Agency, AuditEvent, Child, Ethnicity, Gender, User
from cse.models.subjects import MAX_AGE

LegalStatus = Child.LegalStatus

REQUIRED_COLUMNS = (
    "local_reference",
    "forename",
    "surname",
    "known_as",
    "date_of_birth",
    "gender",
    "ethnicity",
    "looked_after",
    "responsible_authority",
)
OPTIONAL_COLUMNS = ("legal_status",)
KNOWN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

GENDERS = {
    "female": Gender.FEMALE,
    "f": Gender.FEMALE,
    "male": Gender.MALE,
    "m": Gender.MALE,
    "other": Gender.OTHER,
    "not_known": Gender.NOT_KNOWN,
    "not known": Gender.NOT_KNOWN,
    "unknown": Gender.NOT_KNOWN,
    "": Gender.NOT_KNOWN,
}
ETHNICITIES = {code.lower(): code for code in Ethnicity.values}
LEGAL_STATUSES = {status: status for status in LegalStatus.values}
# Statuses that by definition mean the child is looked after.
LOOKED_AFTER_ONLY = frozenset(
    {LegalStatus.CARE_ORDER, LegalStatus.INTERIM_CARE_ORDER, LegalStatus.SECTION_20}
)
DEFAULT_LOOKED_AFTER_STATUS = LegalStatus.SECTION_20

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MAX_CODE_IN_MESSAGE = 30


@dataclass(frozen=True)
class RowError:
    """One problem: `row` as a spreadsheet numbers it (header = 1), or None for a
    problem with the file as a whole; `column` is "" when no one column is at fault."""

    row: int | None
    column: str
    reason: str

    def __str__(self) -> str:
        where = "File" if self.row is None else f"Row {self.row}"
        if self.column:
            where += f", {self.column}"
        return f"{where}: {self.reason}"


class ImportRejected(Exception):
    """The file was refused and nothing was written; `errors` says why."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        count = len(errors)
        super().__init__(
            f"The file was rejected with {count} error{'s' if count != 1 else ''}"
        )


@dataclass(frozen=True)
class ImportReport:
    created: int
    skipped: int
    # Of those created, how many said looked_after = yes with no legal_status and were
    # recorded as section 20: worth asking the importer to check.
    assumed_section_20: int = 0
    created_ids: list[int] = field(default_factory=list, repr=False)


@dataclass
class _ParsedRow:
    row: int
    child: Child
    assumed_section_20: bool


def import_children(
    *, file: IO[str] | IO[bytes] | bytes | str, agency: Agency, by: User | None
) -> ImportReport:
    """Check the whole CSV, then create the children it lists, owned by `agency`.

    `file` may be an uploaded file or any binary or text stream (or the bytes or text
    themselves). `by` is the uploading user, or None from the command line. Raises
    `ImportRejected` (nothing written) when anything in the file is wrong.
    """
    if not agency.is_active:
        raise ImportRejected([RowError(None, "", f"The agency {agency} is not active")])
    today = timezone.localdate()
    parsed = _parse(_read_text(file), today=today)

    with transaction.atomic():
        # Serialise imports into one agency so two uploads of the same file cannot
        # both create the same children (a no-op on SQLite, which locks the database).
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        existing = set(
            Child.objects.filter(owner_agency=agency)
            .exclude(local_reference="")
            .values_list("local_reference", flat=True)
        )
        created_ids: list[int] = []
        skipped = assumed = 0
        for item in parsed:
            if item.child.local_reference in existing:
                skipped += 1
                continue
            try:
                services.create_subject(
                    by=by, subject=item.child, owner_agency=agency, context="imported"
                )
            except ValidationError as error:
                # Checked already, so this should not happen; if it does, refuse the
                # whole file (the transaction rolls back) and say which row.
                raise ImportRejected(
                    list(_validation_errors(item.row, error))
                ) from error
            created_ids.append(item.child.pk)
            assumed += item.assumed_section_20
        report = ImportReport(
            created=len(created_ids),
            skipped=skipped,
            assumed_section_20=assumed,
            created_ids=created_ids,
        )
        audit.record(
            by=by,
            action=AuditEvent.Action.IMPORT,
            summary=(
                f"Imported {report.created} children into {agency}; "
                f"{report.skipped} already present (unchanged)"
            ),
            detail={
                "agency": agency.pk,
                "rows": len(parsed),
                "created": report.created,
                "skipped": report.skipped,
                "assumed_section_20": report.assumed_section_20,
                "subject_ids": created_ids,
            },
        )
    return report


# --- reading -------------------------------------------------------------------------


def _read_text(file: IO[str] | IO[bytes] | bytes | str) -> str:
    content = file if isinstance(file, bytes | str) else file.read()
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = content.count(b"\n", 0, error.start) + 1
            raise ImportRejected(
                [
                    RowError(
                        None,
                        "",
                        "The file is not UTF-8 text (the first problem is on line "
                        f"{line}). Save it from your spreadsheet as “CSV UTF-8” and "
                        "try again.",
                    )
                ]
            ) from error
    return content.removeprefix("\ufeff")


def _parse(text: str, *, today: datetime.date) -> list[_ParsedRow]:
    if not text.strip():
        raise ImportRejected([RowError(None, "", "The file is empty")])
    reader = csv.reader(io.StringIO(text, newline=""))
    errors: list[RowError] = []
    parsed: list[_ParsedRow] = []
    try:
        header = [name.strip() for name in next(reader)]
        _check_header(header)
        first_row: dict[str, int] = {}  # local_reference -> row it first appears on
        for row_number, cells in enumerate(reader, start=2):
            if all(not cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                errors.append(
                    RowError(
                        row_number,
                        "",
                        f"The row has {len(cells)} cells but the header has "
                        f"{len(header)} columns",
                    )
                )
                continue
            values = {
                name: cell.strip() for name, cell in zip(header, cells, strict=True)
            }
            row_errors, item = _parse_row(row_number, values, today=today)
            reference = values["local_reference"]
            if reference:
                if reference in first_row:
                    row_errors.insert(
                        0,
                        RowError(
                            row_number,
                            "local_reference",
                            "This reference is already used on row "
                            f"{first_row[reference]}; each row needs its own",
                        ),
                    )
                else:
                    first_row[reference] = row_number
            errors += row_errors
            if not row_errors:
                parsed.append(item)
    except csv.Error as error:
        errors.append(
            RowError(
                None,
                "",
                f"The file is not readable as CSV near line {reader.line_num} "
                f"({error})",
            )
        )
    if errors:
        raise ImportRejected(errors)
    if not parsed:
        raise ImportRejected(
            [RowError(None, "", "The file has no rows under the header")]
        )
    return parsed


def _check_header(header: list[str]) -> None:
    errors = []
    unknown = [name for name in header if name not in KNOWN_COLUMNS]
    if unknown:
        errors.append(
            RowError(
                1,
                "",
                f"Unknown column{'s' if len(unknown) > 1 else ''}: {_names(unknown)}",
            )
        )
    repeated = sorted({name for name in header if header.count(name) > 1 and name})
    if repeated:
        errors.append(RowError(1, "", f"Column repeated: {_names(repeated)}"))
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        errors.append(
            RowError(
                1,
                "",
                f"Missing column{'s' if len(missing) > 1 else ''}: {_names(missing)}",
            )
        )
    if errors:
        raise ImportRejected(errors)


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"“{name}”" if name else "(blank)" for name in names)


# --- one row -------------------------------------------------------------------------


def _parse_row(
    row: int, values: dict[str, str], *, today: datetime.date
) -> tuple[list[RowError], _ParsedRow | None]:
    errors: list[RowError] = []

    def error(column: str, reason: str) -> None:
        errors.append(RowError(row, column, reason))

    for column, label in (
        ("local_reference", "a local reference"),
        ("forename", "a forename"),
        ("surname", "a surname"),
    ):
        if not values[column]:
            error(column, f"Enter {label}")
    for column in (
        "local_reference",
        "forename",
        "surname",
        "known_as",
        "responsible_authority",
    ):
        limit = Child._meta.get_field(column).max_length
        if len(values[column]) > limit:
            error(column, f"Must be {limit} characters or fewer")

    date_of_birth = _parse_date_of_birth(values["date_of_birth"], today, error)

    gender = GENDERS.get(values["gender"].lower())
    if gender is None:
        error(
            "gender",
            f"{_code(values['gender'])} is not a gender this import understands: use "
            "female (or F), male (or M), other, not_known, or leave it blank",
        )

    ethnicity = ETHNICITIES.get(values["ethnicity"].lower())
    if not values["ethnicity"]:
        ethnicity = Ethnicity.NOT_OBTAINED
    elif ethnicity is None:
        error(
            "ethnicity",
            f"{_code(values['ethnicity'])} is not a census ethnicity code: use one of "
            f"{', '.join(Ethnicity.values)}, or leave it blank",
        )

    looked_after = {"yes": True, "no": False}.get(values["looked_after"].lower())
    if looked_after is None:
        error(
            "looked_after",
            "Enter yes or no"
            if not values["looked_after"]
            else f"{_code(values['looked_after'])} is not yes or no",
        )

    legal_status = None
    raw_status = values.get("legal_status", "")
    if raw_status:
        legal_status = LEGAL_STATUSES.get(raw_status.lower())
        if legal_status is None:
            error(
                "legal_status",
                f"{_code(raw_status)} is not a legal status: use one of "
                f"{', '.join(LegalStatus.values)}, or leave it blank",
            )
    assumed_section_20 = False
    if looked_after is not None and (legal_status is not None or not raw_status):
        if legal_status is None:
            assumed_section_20 = looked_after
            legal_status = (
                DEFAULT_LOOKED_AFTER_STATUS
                if looked_after
                else LegalStatus.NOT_LOOKED_AFTER
            )
        elif not looked_after and legal_status in LOOKED_AFTER_ONLY:
            error(
                "legal_status",
                f"{legal_status} means the child is looked after, "
                "but looked_after is no",
            )
        elif looked_after and legal_status == LegalStatus.NOT_LOOKED_AFTER:
            error("legal_status", "not_looked_after contradicts looked_after being yes")
    if looked_after and not values["responsible_authority"]:
        error(
            "responsible_authority",
            "Enter the responsible local authority: the child is looked after",
        )

    if errors:
        return errors, None
    child = Child(
        local_reference=values["local_reference"],
        forename=values["forename"],
        surname=values["surname"],
        known_as=values["known_as"],
        date_of_birth=date_of_birth,
        gender=gender,
        ethnicity=ethnicity,
        legal_status=legal_status,
        responsible_authority=values["responsible_authority"],
    )
    # The service cleans again on save; cleaning here too means any rule the model
    # adds later is reported against its row before anything is written.
    try:
        child.full_clean(
            exclude=["owner_agency", "kind", "created_by"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as invalid:
        return list(_validation_errors(row, invalid)), None
    return [], _ParsedRow(row=row, child=child, assumed_section_20=assumed_section_20)


def _parse_date_of_birth(
    text: str, today: datetime.date, error
) -> datetime.date | None:
    column = "date_of_birth"
    if not text:
        error(
            column, "Enter the date of birth (the import has no estimated-age column)"
        )
        return None
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        born = datetime.date.fromisoformat(text)
    except ValueError:
        error(
            column, "Must be a real date written as YYYY-MM-DD, for example 2012-01-31"
        )
        return None
    if born >= today:
        error(column, "Date of birth must be in the past")
        return None
    if age_on(born, today) > MAX_AGE:
        error(column, f"A young person must be {MAX_AGE} or under to be recorded here")
        return None
    return born


def _code(value: str) -> str:
    if len(value) > _MAX_CODE_IN_MESSAGE:
        value = value[:_MAX_CODE_IN_MESSAGE] + "…"
    return f"“{value}”"


def _validation_errors(row: int, error: ValidationError) -> Iterable[RowError]:
    if hasattr(error, "error_dict"):
        for column, messages in error.message_dict.items():
            for message in messages:
                yield RowError(row, "" if column == "__all__" else column, message)
    else:
        for message in error.messages:
            yield RowError(row, "", message)
