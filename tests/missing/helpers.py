"""Shared test helpers for the missing tests: times are obviously synthetic."""

import datetime

from missing import services

UTC = datetime.UTC


def at(*parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=UTC)


def episode(child, by, started, returned=None, category="missing", **extra):
    fields = {
        "category": category,
        "missing_from": "home",
        "reported_at": started,
        "last_seen_at": started,
        "returned_at": returned,
        **extra,
    }
    return services.record_episode(by=by, child=child, fields=fields)
