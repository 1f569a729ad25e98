"""How an audit event is chained to the one before it.

Every event is a link in one of a few chains (`AuditEvent.chain`). Its `digest` is
SHA-256 over a canonical serialisation of the event's own fields; its `hash` is
SHA-256 over its place in the chain, the previous link's hash and that digest
(`link_hash`); the first link of a chain follows GENESIS. Changing, removing or
inserting a row anywhere breaks the chain at that point, which `manage.py
verify_audit` reports.

The app computes the digest (cse.audit.record). The place and the hash are given
at insert: on PostgreSQL by the trigger cse_auditevent_link (migration 0012), which
also picks the chain, so a row inserted any other way is placed and hashed the same;
on SQLite by cse.audit in Python. Both compute `link_hash` below.

The serialisation is fixed (version "cse-audit-v1"): the same values give the same
bytes on PostgreSQL and SQLite, whatever the database does to them on the way in and
out (JSON key order, IPv6 spelling, integral floats). A different format would be a
new version, never a change to this one, or every existing chain would break.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json
from collections.abc import Mapping
from typing import Any

VERSION = "cse-audit-v1"
GENESIS = "0" * 64

# The event's own fields that the hash covers, by attribute name.
FIELDS = (
    "at",
    "user_id",
    "username",
    "agency_id",
    "action",
    "subject_id",
    "object_type",
    "object_id",
    "summary",
    "changes",
    "detail",
    "ip_address",
    "path",
    "request_id",
    "break_glass_id",
)


def digest(event: Any) -> str:
    """SHA-256 of the event's own fields (an AuditEvent, or anything with its
    attributes)."""
    return hashlib.sha256(canonical(event)).hexdigest()


def link_hash(chain: int, seq: int, prev_hash: str, event_digest: str) -> str:
    """The hash of link `seq` of `chain`. The trigger cse_auditevent_link computes
    exactly this text and digest."""
    text = f"{VERSION}|{chain}|{seq}|{prev_hash}|{event_digest}"
    return hashlib.sha256(text.encode()).hexdigest()


def canonical(event: Any) -> bytes:
    values = {name: _canonical_value(name, getattr(event, name)) for name in FIELDS}
    return json.dumps(
        [VERSION, values], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def _canonical_value(name: str, value: object) -> object:
    if name == "at":
        if not isinstance(value, datetime.datetime):
            raise TypeError("An audit event's time must be a datetime.")
        if value.tzinfo is None:
            raise ValueError("An audit event's time must be timezone-aware.")
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if name in {"changes", "detail"}:
        # As stored: through JSON, then numbers in one spelling (PostgreSQL's jsonb
        # gives 1e16 back as 10000000000000000).
        return _plain_numbers(json.loads(json.dumps(value)))
    if name == "ip_address" and value:
        try:
            return str(ipaddress.ip_address(str(value)))
        except ValueError:
            return str(value)
    return value


def _plain_numbers(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {key: _plain_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_numbers(item) for item in value]
    return value
