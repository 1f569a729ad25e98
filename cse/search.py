"""Finding children, persons of interest, locations and vehicles by what people type:
names with spelling slips, aliases, dates of birth, postcodes, registrations, phones.

Each record keeps a normalised `search_text`. On PostgreSQL a trigram index over it
answers spelling-tolerant word-similarity queries; elsewhere (the SQLite trial set-up)
search falls back to matching every word as a substring.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import Q, QuerySet

from cse import permissions
from cse.models import Child, Location, PersonOfInterest, Subject, User, Vehicle
from cse.models.subjects import SPECIFIC_ATTR

# How alike a typed word must be to a word in the record (pg_trgm word similarity).
SEARCH_THRESHOLD = 0.45
DUPLICATE_THRESHOLD = 0.5
RESULT_LIMIT = 25

_POSTCODE = re.compile(r"^([a-z]{1,2}\d[a-z\d]?)\s*(\d[a-z]{2})$")
_NON_WORD = re.compile(r"[^a-z0-9@.+ ]+")
_SPACES = re.compile(r"\s+")
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d %m %Y")


def normalise(text: str) -> str:
    """Lower case, accents folded, punctuation to spaces, single-spaced."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SPACES.sub(" ", _NON_WORD.sub(" ", folded.lower())).strip()


def normalise_postcode(postcode: str) -> str:
    return re.sub(r"\s+", "", postcode).upper()


def format_postcode(postcode: str) -> str:
    """`b11aa` -> `B1 1AA`; anything too short to be a postcode is just upper-cased."""
    compact = normalise_postcode(postcode)
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 4 else compact


def normalise_registration(registration: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", registration.upper())


def normalise_phone(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return "0" + digits[2:] if digits.startswith("44") else digits


def _compact_forms(values: Iterable[str]) -> list[str]:
    """Spaced and unspaced forms of postcodes and registrations, so either matches."""
    forms = []
    for value in values:
        if value:
            forms.append(normalise(value))
            forms.append(re.sub(r"\s+", "", value).lower())
    return forms


def build_search_text(subject: Subject) -> str:
    """The text a record is found by. Call after names, aliases or addresses change."""
    parts: list[str] = []
    aliases = [alias.name for alias in subject.aliases.all()] if subject.pk else []
    if isinstance(subject, Child):
        parts += [
            subject.forename,
            subject.middle_names,
            subject.surname,
            subject.known_as,
        ]
        parts += aliases + [subject.local_reference]
    elif isinstance(subject, PersonOfInterest):
        parts += [subject.forename, subject.surname, subject.nickname] + aliases
        if subject.pk:
            parts += [phone.number_normalised for phone in subject.phone_numbers.all()]
    elif isinstance(subject, Location):
        parts += [
            subject.name,
            subject.trading_name,
            subject.address_line_1,
            subject.town,
        ]
        parts += [subject.online_identifier]
        parts += _compact_forms([subject.postcode])
    elif isinstance(subject, Vehicle):
        parts += _compact_forms([subject.registration])
        parts += [subject.make, subject.model, subject.colour]
    if subject.pk and not isinstance(subject, Location | Vehicle):
        parts += _compact_forms(address.postcode for address in subject.addresses.all())
    return " ".join(normalise(part) for part in parts if part)


def parse_date(text: str) -> datetime.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _uses_trigrams() -> bool:
    return connection.vendor == "postgresql"


def _text_match(queryset: QuerySet, text: str) -> QuerySet:
    """Records whose search text resembles `text`, most alike first."""
    if _uses_trigrams():
        return (
            queryset.filter(search_text__trigram_word_similar=text)
            .annotate(similarity=TrigramWordSimilarity(text, "search_text"))
            .order_by("-similarity", "pk")
        )
    condition = Q()
    for word in text.split():
        condition &= Q(search_text__contains=word)
    return queryset.filter(condition).order_by("pk")


def _run(queryset: QuerySet, threshold: float, limit: int) -> list:
    """Evaluate with the similarity threshold set for this transaction only."""
    if not _uses_trigrams():
        return list(queryset[:limit])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = %s", [threshold])
        return list(queryset[:limit])


def search(
    user: User, query: str, kinds: Iterable[str] | None = None
) -> dict[str, list]:
    """What the user may see that matches `query`, grouped by kind of record.

    A query that reads as a date matches dates of birth; anything else matches names,
    aliases, nicknames, postcodes, registrations and phone numbers.
    """
    wanted = set(kinds or Subject.Kind.values)
    text = normalise(query)
    results: dict[str, list] = {kind: [] for kind in wanted}
    if not text:
        return results
    day = parse_date(query)
    if day is not None:
        for kind, model in (
            (Subject.Kind.CHILD, Child),
            (Subject.Kind.PERSON, PersonOfInterest),
        ):
            if kind in wanted:
                matches = permissions.visible(user, model).filter(date_of_birth=day)
                results[kind] = list(
                    matches.select_related("owner_agency").order_by("pk")[:RESULT_LIMIT]
                )
        return results
    # One trigram query over all kinds of record (they share the search text) finds
    # the best matches' ids; a second fetches those rows with their details, which is
    # cheaper than joining every candidate to its details before ranking.
    matches = permissions.visible(user, Subject).filter(kind__in=wanted)
    ranked = _text_match(matches, _query_text(query, text)).values_list("pk", flat=True)
    ids = _run(ranked, SEARCH_THRESHOLD, RESULT_LIMIT * len(wanted))
    rows = permissions.records_by_id(user, ids).select_related(
        "owner_agency", *(SPECIFIC_ATTR[kind] for kind in wanted)
    )
    by_id = {subject.pk: subject for subject in rows}
    for subject in (by_id[pk] for pk in ids):
        if len(results[subject.kind]) < RESULT_LIMIT:
            record = subject.specific
            Subject.owner_agency.field.set_cached_value(record, subject.owner_agency)
            results[subject.kind].append(record)
    return results


def _query_text(raw: str, text: str) -> str:
    """Postcodes and registrations are matched in their compact form."""
    compact = re.sub(r"\s+", "", raw).lower()
    if _POSTCODE.match(text) or (
        len(compact) <= 8 and re.fullmatch(r"[a-z]{2}\d{2}[a-z]{3}", compact)
    ):
        return compact
    if re.fullmatch(r"[\d +()-]{7,}", raw.strip()):
        return normalise_phone(raw)
    return text


def possible_duplicate_children(
    *, by: User, forename: str, surname: str, date_of_birth: datetime.date | None
) -> list[Child]:
    """Existing children who may be the one about to be created, across all agencies.

    Only for a user who may record (`permissions.children_to_check_for_duplicates`);
    the caller decides what of this the user may see (cse.services.check_new_child).
    """
    name = normalise(f"{forename} {surname}")
    if not name:
        return []
    children = permissions.children_to_check_for_duplicates(by)
    by_name = _text_match(children, name)
    matches = {child.pk: child for child in _run(by_name, DUPLICATE_THRESHOLD, 20)}
    if date_of_birth is not None:
        same_day = children.filter(date_of_birth=date_of_birth)
        for part in (normalise(forename), normalise(surname)):
            if part:
                for child in _run(_text_match(same_day, part), DUPLICATE_THRESHOLD, 20):
                    matches.setdefault(child.pk, child)
    ranked = sorted(
        matches.values(),
        key=lambda child: (child.date_of_birth != date_of_birth, child.pk),
    )
    return ranked[:20]
