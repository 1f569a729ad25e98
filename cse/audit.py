"""The one way to write to the audit trail."""

from __future__ import annotations

import contextvars
import dataclasses
import datetime
import decimal
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connections, models, router, transaction

from cse.audit_chain import GENESIS, digest, link_hash
from cse.models import AuditEvent, Subject, User

Action = AuditEvent.Action


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None
    path: str
    request_id: str
    method: str = "GET"
    # Who opened which record through which break-glass grant in this request
    # (cse.permissions sets it; every event recorded afterwards carries the grant).
    break_glass: tuple[int, int, int] | None = None  # (grant, user, subject)
    # How many events this request has written (record() counts them), shared by the
    # copies mark_break_glass makes: cse.middleware.AuditViewMiddleware audits a
    # page that wrote none.
    tally: EventTally = dataclasses.field(default_factory=lambda: EventTally())


@dataclass
class EventTally:
    events: int = 0


def events_recorded_in_request() -> int:
    """How many audit events the current request has written so far."""
    context = _current.get()
    return context.tally.events if context else 0


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "audit_request_context", default=None
)


def set_request_context(context: RequestContext | None) -> contextvars.Token:
    return _current.set(context)


def reset_request_context(token: contextvars.Token) -> None:
    _current.reset(token)


def current_request_context() -> RequestContext | None:
    return _current.get()


def mark_break_glass(*, grant_id: int, user_id: int, subject_id: int) -> bool:
    """Note that this request is served under a break-glass grant. Outside a request
    (background jobs, the shell) there is nothing to note and nothing is granted."""
    context = _current.get()
    if context is None:
        return False
    _current.set(
        dataclasses.replace(context, break_glass=(grant_id, user_id, subject_id))
    )
    return True


def new_request_id() -> str:
    return uuid.uuid4().hex


def record(
    *,
    by: User | None,
    action: str,
    obj: models.Model | None = None,
    subject: Subject | int | None = None,
    summary: str = "",
    changes: dict | None = None,
    detail: dict | None = None,
    break_glass: models.Model | None = None,
) -> AuditEvent:
    """Append one event. `subject` is the record the event concerns (for an event on
    a record hung off a child, the child); it defaults to `obj` when that is one.
    `break_glass` names a grant the event belongs to; otherwise the grant the
    request is served under, if any."""
    if subject is None and isinstance(obj, Subject):
        subject = obj
    subject_id = subject.pk if isinstance(subject, Subject) else subject
    context = _current.get()
    if context is not None:
        context.tally.events += 1
    user = by if by is not None and by.is_authenticated else None
    return _append(
        user=user,
        username=user.get_username() if user else "",
        agency_id=user.agency_id if user else None,
        action=action,
        subject_id=subject_id,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:300],
        changes=changes or {},
        detail=detail or {},
        ip_address=context.ip_address if context else None,
        path=context.path[:300] if context else "",
        request_id=context.request_id if context else "",
        break_glass_id=(
            break_glass.pk
            if break_glass is not None
            else context.break_glass[0]
            if context and context.break_glass
            else None
        ),
    )


def _append(**fields) -> AuditEvent:
    """Insert the event as the next link of a chain (cse.audit_chain).

    On PostgreSQL the insert trigger cse_auditevent_link places it: under a
    transaction-level advisory lock on the first of the chains that is free, so two
    writers never take the same place and a writer waits only when every chain is
    held by an open transaction; outside a transaction the lock lasts for the one
    INSERT statement, and the event costs one round trip, as before the chain.
    SQLite writes one transaction at a time anyway: one chain, placed here.
    """
    event = AuditEvent(**fields)
    event.digest = digest(event)
    using = router.db_for_write(AuditEvent)
    if connections[using].vendor == "postgresql":
        event.save(force_insert=True, using=using)
        return event
    with transaction.atomic(using=using, savepoint=False):
        last = (
            AuditEvent.objects.using(using)
            .filter(chain=0)
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        event.chain = 0
        event.seq, event.prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
        event.hash = link_hash(event.chain, event.seq, event.prev_hash, event.digest)
        event.save(force_insert=True, using=using)
    return event


def record_many(
    *, by: User, action: str, subjects: Iterable[Subject], summary: str
) -> None:
    """One event for a list or search result page: which records were shown."""
    ids = [s.pk for s in subjects]
    record(by=by, action=action, summary=summary, detail={"subject_ids": ids})


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    """The values of `fields`, as JSON-safe primitives, for before/after comparison."""
    return {name: _plain(getattr(obj, _attname(obj, name))) for name in fields}


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for every field whose value changed."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def _attname(obj: models.Model, name: str) -> str:
    field = obj._meta.get_field(name)
    return getattr(field, "attname", name)


def _plain(value: object) -> object:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value
