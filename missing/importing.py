"""The police missing-report import: validate the whole CSV, then write it.

Header (exactly these columns):
police_reference,forename,surname,date_of_birth,gender,category,missing_from,
reported_at,last_seen_at,returned_at,found_location,risk_level,notes

The police reference is the key: a second import of the same row changes nothing; a
later row with the same reference updates the episode. Rows are matched to existing
children by name (or alias) and date of birth, tolerant of case and spacing; a row
matching no child or several is held in the matching queue, never creating a child,
for the administrators of the area it was imported for (missing.permissions: a row
held without an area is shown to no one until imported again with an area).
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from cse import audit
from cse.dates import LONDON
from cse.importing import ImportRejected, RowError
from cse.models import Agency, Alias, AuditEvent, Child, LocalArea, User
from cse.search import normalise

from . import services
from .models import MatchingQueueItem, MissingEpisode

COLUMNS = (
    "police_reference",
    "forename",
    "surname",
    "date_of_birth",
    "gender",
    "category",
    "missing_from",
    "reported_at",
    "last_seen_at",
    "returned_at",
    "found_location",
    "risk_level",
    "notes",
)
REQUIRED = (
    "police_reference",
    "forename",
    "surname",
    "date_of_birth",
    "category",
    "missing_from",
    "reported_at",
)
CHOICES = {
    "category": MissingEpisode.Category.values,
    "missing_from": MissingEpisode.From.values,
    "risk_level": MissingEpisode.Risk.values,
}
TIMES = ("reported_at", "last_seen_at", "returned_at")


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int
    queued: int


def parse_time(text: str) -> datetime.datetime:
    """ISO 8601, with an offset, or Europe/London local time without one."""
    value = datetime.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=LONDON)
    return value.astimezone(datetime.UTC)


def parse(text: str) -> list[dict]:
    """The rows of the file, or ImportRejected listing every problem (a cell too big
    for the CSV reader, a wrong header, bad values)."""
    try:
        return _parse(text)
    except csv.Error as error:
        raise ImportRejected(
            [RowError(None, "", f"The file is not a CSV file we can read ({error})")]
        ) from error


def _parse(text: str) -> list[dict]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise ImportRejected([RowError(None, "", "The file is empty")])
    header = [name.strip() for name in header]
    if tuple(header) != COLUMNS:
        raise ImportRejected(
            [RowError(1, "", "The header must be: " + ",".join(COLUMNS))]
        )
    errors: list[RowError] = []
    rows: list[dict] = []
    seen: dict[str, int] = {}
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(COLUMNS):
            errors.append(
                RowError(
                    number, "", f"Expected {len(COLUMNS)} columns, found {len(values)}"
                )
            )
            continue
        raw = {name: value.strip() for name, value in zip(COLUMNS, values, strict=True)}
        row = dict(raw, _row=number, _raw=raw)
        for name in REQUIRED:
            if not raw[name]:
                errors.append(RowError(number, name, "Enter a value"))
        for name, allowed in CHOICES.items():
            if raw[name] and raw[name].lower() not in allowed:
                errors.append(
                    RowError(number, name, f"Must be one of {'|'.join(allowed)}")
                )
            row[name] = raw[name].lower()
        try:
            row["date_of_birth"] = (
                datetime.date.fromisoformat(raw["date_of_birth"])
                if raw["date_of_birth"]
                else None
            )
            if raw["date_of_birth"] and len(raw["date_of_birth"]) != 10:
                raise ValueError
        except ValueError:
            errors.append(
                RowError(number, "date_of_birth", "Must be a date as YYYY-MM-DD")
            )
        for name in TIMES:
            try:
                row[name] = parse_time(raw[name]) if raw[name] else None
            except ValueError:
                errors.append(
                    RowError(
                        number, name, "Must be an ISO 8601 time, like 2024-03-01T18:30"
                    )
                )
                row[name] = None
        start = row["last_seen_at"] or row["reported_at"]
        if row["returned_at"] and start and row["returned_at"] < start:
            errors.append(
                RowError(number, "returned_at", "Must be after last seen (or reported)")
            )
        if (
            row["last_seen_at"]
            and row["reported_at"]
            and row["last_seen_at"] > row["reported_at"]
        ):
            errors.append(
                RowError(number, "last_seen_at", "Must be before reported_at")
            )
        ref = raw["police_reference"]
        if ref in seen:
            errors.append(
                RowError(number, "police_reference", f"Repeats row {seen[ref]}")
            )
        seen[ref] = number
        rows.append(row)
    if errors:
        raise ImportRejected(errors)
    return rows


def _name_key(*names: str) -> str:
    return normalise(" ".join(names)).replace(" ", "")


def match_children(row: dict, area: LocalArea | None) -> list[int]:
    """Children with the row's date of birth whose name or an alias is the row's name,
    ignoring case, accents, spaces and punctuation."""
    wanted = _name_key(row["forename"], row["surname"])
    candidates = Child.objects.filter(date_of_birth=row["date_of_birth"])
    if area is not None:
        candidates = candidates.filter(
            Q(home_area=area) | Q(home_area__isnull=True, owner_agency__local_area=area)
        )
    found = set()
    for pk, forename, middle, surname in candidates.values_list(
        "pk", "forename", "middle_names", "surname"
    ):
        if wanted in {
            _name_key(forename, surname),
            _name_key(forename, middle, surname),
        }:
            found.add(pk)
    for subject_id, name in Alias.objects.filter(
        subject__in=candidates.values("pk")
    ).values_list("subject_id", "name"):
        if _name_key(name) == wanted:
            found.add(subject_id)
    return sorted(found)


def episode_fields(row: dict) -> dict:
    return {
        "category": row["category"],
        "missing_from": row["missing_from"],
        "police_reference": row["police_reference"],
        "reported_at": row["reported_at"],
        "last_seen_at": row["last_seen_at"],
        "returned_at": row["returned_at"],
        "found_location": row["found_location"],
        "risk_level": row["risk_level"],
        "notes": row["notes"],
    }


def import_agency(child: Child, area: LocalArea | None) -> Agency:
    """Imported episodes belong to the area's police force, where there is one."""
    police = services.police_agencies(
        area.pk if area else services.area_id_of(child)
    ).first()
    return police or child.owner_agency


def import_reports(
    *, text: str, by: User | None, area: LocalArea | None = None
) -> ImportReport:
    rows = parse(text)
    created = updated = unchanged = queued = 0
    with transaction.atomic():
        for row in rows:
            fields = episode_fields(row)
            episode = (
                MissingEpisode.objects.select_related("child__owner_agency")
                .filter(police_reference=row["police_reference"])
                .first()
            )
            if episode is not None:
                changed = any(getattr(episode, k) != v for k, v in fields.items())
                if changed:
                    services.update_episode(by=by, episode=episode, fields=fields)
                    updated += 1
                else:
                    unchanged += 1
                continue
            ids = match_children(row, area)
            if len(ids) == 1:
                child = Child.objects.select_related("owner_agency").get(pk=ids[0])
                services.record_episode(
                    by=None,
                    child=child,
                    fields=fields,
                    agency=import_agency(child, area),
                )
                created += 1
                continue
            queued += _queue(row, ids, area)
        audit.record(
            by=by,
            action=AuditEvent.Action.IMPORT,
            summary=f"Police missing reports: {created} new, {updated} updated, "
            f"{unchanged} unchanged, {queued} held for matching",
            detail={"rows": len(rows), "area": area.pk if area else None},
        )
    return ImportReport(created, updated, unchanged, queued)


def _queue(row: dict, ids: list[int], area: LocalArea | None) -> int:
    reason = (
        MatchingQueueItem.Reason.AMBIGUOUS if ids else MatchingQueueItem.Reason.NO_MATCH
    )
    item = MatchingQueueItem.objects.filter(
        police_reference=row["police_reference"]
    ).first()
    if item is None:
        MatchingQueueItem.objects.create(
            police_reference=row["police_reference"],
            local_area=area,
            row=row["_raw"],
            reason=reason,
            candidate_ids=ids,
        )
        return 1
    if item.state == MatchingQueueItem.State.PENDING and (
        item.row != row["_raw"]
        or item.candidate_ids != ids
        or (item.local_area_id is None and area is not None)
    ):
        # A report held without an area is seen by no one: importing it again
        # for an area hands it to that area's administrators.
        item.row, item.candidate_ids, item.reason = row["_raw"], ids, reason
        item.local_area = item.local_area or area
        item.save(update_fields=["row", "candidate_ids", "reason", "local_area"])
    return 0


def read_text(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(
            [RowError(None, "", "The file is not UTF-8 text")]
        ) from error
