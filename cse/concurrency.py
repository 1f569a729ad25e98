"""Edit forms carry the version of the record they were read at, so a save made from
a form someone else has overtaken is refused, never applied over their change.

The version is a digest of each field the form edits, not a version number on the
row. A number would make every save conflict with every other: a screening that
sets a child's category, or a rating changed on its own page, would refuse a
practitioner's unrelated edit of the child's details or the action's wording. With
a digest per field, a save conflicts exactly when a field *this form* edits was
changed after the form was read; a change to columns the form does not show lets
both land, because every edit saves only its own columns (`save(update_fields=…)`
in the services). Within one form there is no merging: two people saving the same
form conflict even when they changed different fields of it, because each form
posts every field it shows, and a field the second person left alone still holds
the value they read. Merging those silently could also make a record neither of
them checked (one clears a date of birth for an estimated age while the other
clears the estimated age). The second person is shown what changed, by whom and
when, with the form refilled (the record as it now is, their own changes on top)
so they can save again.

How a save is checked: `saving(form)` opens a transaction, locks the row
(`SELECT … FOR UPDATE` on PostgreSQL; SQLite's writers already take the database
lock at BEGIN, `transaction_mode` IMMEDIATE), compares the digests of the locked
row with those the form was read at, and only then lets the service write, in the
same transaction. Two simultaneous saves from forms read at the same version
cannot both pass: the second waits for the first's lock and then finds the row
changed.

The token is signed (`django.core.signing`) and names the row, so it cannot be
forged or carried to another record. The digests are keyed (HMAC with the secret
key), so the page does not carry a hash of a date of birth that could be guessed
offline. Who saved since is read from the audit trail: write events on the row
after the form was read.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django import forms
from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.datastructures import MultiValueDict
from django.utils.dateformat import format as date_format
from django.utils.text import capfirst

from cse import audit
from cse.models import AuditEvent, Subject, User

VERSION_FIELD = "record_version"
_SALT = "cse.concurrency.version"
_DIGEST_LENGTH = 12
_MAX_TOKEN_LENGTH = 20_000
# Servers' clocks may differ a little: a save this long before the form was read
# still counts as one the reader may not have seen.
CLOCK_MARGIN = datetime.timedelta(seconds=2)
WRITE_ACTIONS = (
    AuditEvent.Action.CHANGE,
    AuditEvent.Action.CREATE,
    AuditEvent.Action.DELETE,
)
NOT_GIVEN = "Not given"
NOT_ON_FORM = "Not on this form"
NOT_SHOWN = "a record not shared with your agency"
NOT_SHOWN_VALUE = "Not shown"
CONFLICT_MESSAGE = (
    "Someone else saved this record after you opened this form. Nothing has been "
    "saved: check what changed, then save again."
)
UNKNOWN_VERSION_MESSAGE = (
    "This form did not say which version of the record it was opened at, so "
    "nothing has been saved. Check the record as it is now, then save again."
)


# --- digests ---------------------------------------------------------------------------


def _canonical(value: object) -> str:
    """One text for equal values, however the form or the database spells them: a
    record or its id, a list in any order, an aware time in any zone, 1.50 or 1.5."""
    if isinstance(value, models.Model):
        value = value.pk
    if isinstance(value, QuerySet | list | tuple | set | frozenset):
        return json.dumps(sorted(_canonical(item) for item in value))
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return str(value).replace("\r\n", "\n")


def _digest(name: str, value: object) -> str:
    return salted_hmac(_SALT, f"{name}\x00{_canonical(value)}").hexdigest()[
        :_DIGEST_LENGTH
    ]


@dataclass(frozen=True)
class ReadVersion:
    """What a form's token says: the row, when it was read, a digest per field."""

    read_at: datetime.datetime
    digests: dict[str, str]


def _row_of(instance: models.Model) -> list[str]:
    return [instance._meta.label_lower, str(instance.pk)]


def make_token(instance: models.Model, values: dict[str, object]) -> str:
    return signing.dumps(
        {
            "r": _row_of(instance),
            "t": time.time(),
            "f": {name: _digest(name, value) for name, value in values.items()},
        },
        salt=_SALT,
        compress=True,
    )


def read_token(token: str, instance: models.Model) -> ReadVersion | None:
    """The version a token names, or None for a missing, altered or foreign one."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    try:
        payload = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("r") != _row_of(instance):
        return None
    try:
        return ReadVersion(
            read_at=datetime.datetime.fromtimestamp(float(payload["t"]), datetime.UTC),
            digests={str(k): str(v) for k, v in dict(payload["f"]).items()},
        )
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


# --- the form mixin --------------------------------------------------------------------


class VersionInput(forms.HiddenInput):
    """A hidden input with no id: a page may hold several versioned forms (a
    record's detail page), and an id must be unique on the page."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].pop("id", None)
        return context


class VersionField(forms.Field):
    """The hidden token. Not a CharField: the free-text limits do not apply to it."""

    widget = VersionInput

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, label="", **kwargs)


class VersionedForm:
    """Mix into a form that edits an existing row (before the form's base class).

    The row is the ModelForm's instance, or `version_of=` for a plain form. The
    fields versioned are the form's fields that are fields of the row's model (by
    name), plus `version_extra` (columns a step changes without showing them, such
    as a status); a form whose fields map to the row otherwise overrides
    `versioned_values`. A form for a new row (no primary key) carries no version.
    """

    version_extra: tuple[str, ...] = ()
    # Versioned, but never shown in a conflict (a password's hash).
    version_hidden: frozenset[str] = frozenset()

    def __init__(self, *args, version_of: models.Model | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        row = version_of if version_of is not None else getattr(self, "instance", None)
        self.version_of = row if row is not None and row.pk is not None else None
        if self.version_of is not None:
            self.fields[VERSION_FIELD] = VersionField()
            # Worked out when the page is drawn, after subclasses have added and
            # removed their fields.
            self.initial[VERSION_FIELD] = self.fresh_version

    def _clean_fields(self) -> None:
        # The token is read from the data; services are handed fields, not it.
        super()._clean_fields()
        self.cleaned_data.pop(VERSION_FIELD, None)

    # --- what is versioned ---------------------------------------------------------

    def versioned_values(self, row: models.Model) -> dict[str, object]:
        """The row's value of each field this form edits, keyed by the form's name."""
        opts = row._meta
        values: dict[str, object] = {}
        for name in [*self.fields, *self.version_extra]:
            if name == VERSION_FIELD or name in values:
                continue
            try:
                field = opts.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.many_to_many and not field.auto_created:
                values[name] = list(getattr(row, name).values_list("pk", flat=True))
            elif field.concrete:
                values[name] = field.value_from_object(row)
        return values

    def version_rows(self, row: models.Model) -> list[models.Model]:
        """The rows whose saves count as saves of this one: the row, and for a step
        audited against a row it adds (a plan's review), those rows too."""
        return [row]

    def version_history(
        self, row: models.Model, since: datetime.datetime
    ) -> QuerySet[AuditEvent]:
        """The audit trail's writes to the row since `since`: who saved, and when."""
        rows = Q()
        for each in self.version_rows(row):
            rows |= Q(object_type=each._meta.label_lower, object_id=str(each.pk))
        return AuditEvent.objects.filter(rows, action__in=WRITE_ACTIONS, at__gte=since)

    def version_label(self, name: str) -> str:
        if name in self.fields and self.fields[name].label:
            return str(self.fields[name].label)
        try:
            return capfirst(str(self.version_of._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            return capfirst(name.replace("_", " "))

    def fresh_version(self) -> str:
        return make_token(self.version_of, self.versioned_values(self.version_of))

    def read_version(self) -> ReadVersion | None:
        return read_token(
            self.data.get(self.add_prefix(VERSION_FIELD), ""), self.version_of
        )


# --- the check -------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    name: str
    label: str
    theirs: str
    yours: str
    kept: str  # "theirs" or "yours": which the refilled form shows


@dataclass(frozen=True)
class Save:
    by: str
    agency: str
    at: datetime.datetime
    user_id: int | None


class EditConflict(Exception):
    """The form was read at a version the row no longer has. Carries what changed,
    who saved since, and `form`: the form refilled for another try."""

    def __init__(
        self,
        *,
        form: VersionedForm,
        row: models.Model,
        changes: list[Change],
        saves: list[Save],
        known: bool,
    ) -> None:
        super().__init__("The record changed after the form was read")
        self.row = row
        self.changes = changes
        self.saves = saves
        self.known = known
        self.form = form

    @property
    def message(self) -> str:
        return CONFLICT_MESSAGE if self.known else UNKNOWN_VERSION_MESSAGE


def lock(row: models.Model) -> models.Model:
    """The row as stored now, locked until the transaction ends."""
    return type(row)._base_manager.select_for_update().get(pk=row.pk)


@contextmanager
def saving(form: VersionedForm) -> Iterator[models.Model]:
    """Check a valid, bound form's version and let the save happen, atomically:

        with concurrency.saving(form):
            services.update_x(...)

    Raises EditConflict (nothing written) when a field the form edits changed after
    the form was read, or the form's version is missing or not this row's. Yields
    the locked row as stored."""
    row = form.version_of
    if row is None:
        raise ValueError("The form edits no existing row")
    with transaction.atomic():
        current = lock(row)
        conflict = check(form, current)
        if conflict is not None:
            raise conflict
        yield current


def check(form: VersionedForm, current: models.Model) -> EditConflict | None:
    """The conflict between the version the form was read at and `current`, if any."""
    read = form.read_version()
    now = form.versioned_values(current)
    if read is not None:
        names = [*now, *(name for name in read.digests if name not in now)]
        changed = [
            name
            for name in names
            if name not in now or _digest(name, now[name]) != read.digests.get(name)
        ]
        if not changed:
            return None
    else:
        # Not knowing what the user saw: list what their save would overwrite.
        changed = [
            name
            for name in now
            if name in form.fields
            and _canonical(now[name]) != _canonical(form.cleaned_data.get(name))
        ]
    return _conflict(form, current, read, now, changed)


def _conflict(form, current, read, now: dict, changed: list[str]) -> EditConflict:
    cleaned = getattr(form, "cleaned_data", {})

    def yours_changed(name: str) -> bool:
        if name not in form.fields:
            return False
        if read is None:
            return True
        return _digest(name, cleaned.get(name)) != read.digests.get(name)

    changes = [
        Change(
            name=name,
            label=form.version_label(name),
            theirs=_shown(form, name, now.get(name)),
            yours=_shown(form, name, cleaned.get(name))
            if name in form.fields
            else NOT_ON_FORM,
            kept="yours" if yours_changed(name) else "theirs",
        )
        for name in changed
    ]
    since = (read.read_at if read else timezone.now()) - CLOCK_MARGIN
    saves = [_save_of(event) for event in _history(form, current, since)]
    retry = _refilled(
        form, current, now, [c.name for c in changes if c.kept == "theirs"]
    )
    conflict = EditConflict(
        form=retry, row=current, changes=changes, saves=saves, known=read is not None
    )
    retry._errors = ErrorDict(
        {
            forms.forms.NON_FIELD_ERRORS: retry.error_class(
                [conflict.message], error_class="nonfield"
            )
        }
    )
    return conflict


def _history(form: VersionedForm, row: models.Model, since) -> list[AuditEvent]:
    return list(
        form.version_history(row, since)
        .select_related("user", "agency")
        .order_by("at", "pk")[:20]
    )


def _save_of(event: AuditEvent) -> Save:
    user = event.user
    return Save(
        by=(user.get_full_name() or user.get_username())
        if user
        else "An automatic process",
        agency=event.agency.name if event.agency_id else "",
        at=event.at,
        user_id=event.user_id,
    )


def _refilled(form, current, now: dict, take_theirs: list[str]):
    """A copy of the form, unbound: the user's values, the record's current values
    for the fields only others changed, and the current version."""
    retry = copy.copy(form)
    initial = dict(form.initial)
    initial.update(getattr(form, "cleaned_data", {}))
    initial.update({name: now[name] for name in take_theirs if name in form.fields})
    initial[VERSION_FIELD] = make_token(current, now)
    retry.initial = initial
    retry.is_bound = False
    retry.data = MultiValueDict()
    retry.files = MultiValueDict()
    retry._bound_fields_cache = {}
    retry.version_of = current
    if hasattr(retry, "cleaned_data"):
        del retry.cleaned_data
    return retry


# --- showing a value -------------------------------------------------------------------


def _shown(form: VersionedForm, name: str, value: object) -> str:
    """A value as the form's user would read it: a choice's label, a date in words."""
    if name in form.version_hidden:
        return NOT_SHOWN_VALUE
    field = form.fields.get(name)
    if isinstance(value, QuerySet):
        value = list(value)
    if value is None or value == "" or value == [] or value == ():
        return NOT_GIVEN
    if isinstance(field, forms.ModelChoiceField):
        return _shown_records(field, value)
    choices = _choices(form, name, field)
    if choices:
        items = value if isinstance(value, list | tuple) else [value]
        return ", ".join(str(choices.get(_canonical(item), item)) for item in items)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "j F Y, H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    if isinstance(value, list | tuple):
        return ", ".join(_canonical(item) for item in value)
    return _canonical(value)


def _shown_records(field: forms.ModelChoiceField, value: object) -> str:
    """The labels of chosen records, found through the field's own (scoped) choices:
    a record outside them is not named."""
    items = value if isinstance(value, list | tuple) else [value]
    pks = [item.pk if isinstance(item, models.Model) else item for item in items]
    found = {obj.pk: obj for obj in field.queryset.filter(pk__in=pks)}
    return ", ".join(
        str(field.label_from_instance(found[pk])) if pk in found else NOT_SHOWN
        for pk in pks
    )


def _choices(form: VersionedForm, name: str, field) -> dict[str, str]:
    flat: list = []
    if field is not None and hasattr(field, "choices"):
        for key, label in field.choices:
            if isinstance(label, list | tuple):
                flat.extend(label)
            else:
                flat.append((key, label))
    elif form.version_of is not None:
        try:
            flat = list(form.version_of._meta.get_field(name).flatchoices)
        except FieldDoesNotExist:
            flat = []
    return {_canonical(key): label for key, label in flat if key not in (None, "")}


# --- Django's administration site ------------------------------------------------------


class AdminVersionedForm(VersionedForm):
    """The administration site's change forms: the check is made while the form is
    cleaned, against the row `AuditedAdmin.get_object` read under a lock in the
    change view's own transaction. A stale form shows the change page again with
    the error at the top, what the user typed kept, and the current version, so
    saving again applies it."""

    def clean(self) -> dict:
        data = super().clean()
        if self.version_of is None:
            return data
        conflict = check(self, self.version_of)
        if conflict is not None:
            self.data = self.data.copy()
            self.data[VERSION_FIELD] = conflict.form.initial[VERSION_FIELD]
            raise forms.ValidationError(admin_message(conflict))
        return data


def admin_message(conflict: EditConflict) -> str:
    saved = "; ".join(
        f"{save.by} at {date_format(timezone.localtime(save.at), 'H:i')} on "
        f"{date_format(timezone.localtime(save.at), 'j F Y')}"
        for save in conflict.saves
    )
    changed = "; ".join(
        f"{change.label}: now “{change.theirs}”, in your form “{change.yours}”"
        for change in conflict.changes
    )
    return " ".join(
        part
        for part in (
            conflict.message,
            f"Saved by: {saved}." if saved else "",
            f"Changed: {changed}." if changed else "",
            "Saving again applies what this form now holds.",
        )
        if part
    )


def versioned_admin_form(form_class: type, *, hidden: frozenset[str]) -> type:
    """The admin's form class with the version carried and checked."""
    return type(
        form_class.__name__,
        (AdminVersionedForm, form_class),
        {"version_hidden": frozenset(hidden), "__module__": form_class.__module__},
    )


# --- the page --------------------------------------------------------------------------


def conflict_response(
    request: HttpRequest,
    conflict: EditConflict,
    template: str,
    context: dict,
    *,
    subject: Subject | int | None,
) -> HttpResponse:
    """The edit page again, with status 409 Conflict: the refilled form, what changed
    and who saved it, under the page's usual error summary. 409 rather than 200:
    the request conflicts with the record's current state and nothing was saved,
    which the access log, monitoring and tests can then tell from a validation
    error; browsers show the page like any other, and it works without JavaScript.
    The record's newer values are shown, so the showing is audited; nothing else
    is written."""
    viewer: User = request.user
    audit.record(
        by=viewer,
        action=AuditEvent.Action.VIEW,
        obj=conflict.row,
        subject=subject,
        summary="edit conflict: the changes since the form was opened",
        detail={"fields": [change.name for change in conflict.changes]},
    )
    return render(
        request,
        template,
        {**context, "form": conflict.form, "conflict": conflict},
        status=409,
    )
