"""Screening fixtures: the loaded tool definitions and screenings in each state."""

from __future__ import annotations

import pytest

from screening import services, tooldefs
from screening.models import ToolDefinition


@pytest.fixture
def tools(db):
    """The three definitions of the data migration (re-loaded: transactional tests
    flush the tables the migration filled)."""
    for name in ("regional-v1.json", "sandwell-v1.json", "nwg-v1.json"):
        tooldefs.load(ToolDefinition, tooldefs.read(name))
    return {d.key: d for d in ToolDefinition.objects.filter(is_active=True)}


@pytest.fixture
def regional(tools):
    return tools["regional"]


def full_answers(screening) -> dict:
    """Answers with an indicator in each section, the required details filled."""
    answers = dict(screening.answers)
    for section in screening.definition.sections:
        first = section["items"][0]["key"]
        if section["type"] == "tick":
            answers[section["key"]] = [first]
        elif section["type"] == "timed":
            answers[section["key"]] = {first: ["current", "prior"]}
        elif section["type"] == "persons":
            answers[section["key"]] = {"person_refs": "", "person_ids": []}
        elif section["type"] != "details":
            answers[section["key"]] = {
                item["key"]: "Testing text" for item in section["items"]
            }
    return answers


def submit(
    by, child, definition, category: int = 2, rationale: str = "Seen with older males"
):
    screening = services.start_screening(by=by, child=child, definition=definition)
    return services.submit_screening(
        by=by,
        screening=screening,
        answers=full_answers(screening),
        category=category,
        rationale=rationale,
    )


@pytest.fixture
def draft(alice, child, regional):
    return services.start_screening(by=alice, child=child, definition=regional)


@pytest.fixture
def submitted(alice, child, regional, carol):
    return submit(alice, child, regional, category=2)
