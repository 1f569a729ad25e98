"""Loading and checking tool definitions (the JSON files in screening/tools/).

A definition file is `{"key", "version", "name", "kind", "definition"}`. Files are
never edited once loaded: a change is a new file with the next version, loaded by a
data migration or `manage.py load_tool_definition`, so screenings already answered
keep the version they were answered against.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError

TOOLS_DIR = Path(__file__).parent / "tools"
SECTION_TYPES = ("details", "text", "timed", "tick", "action_table", "persons")
OWNERS = ("author", "coordinator", "social_care")
AUTOS = ("notify_coordinator", "mase_referral")


def read(name: str) -> dict:
    return json.loads((TOOLS_DIR / name).read_text(encoding="utf-8"))


def check(data: dict) -> None:
    """Raise ValidationError when a definition could not be rendered or acted on."""
    problems = []
    for field in ("key", "version", "name", "kind", "definition"):
        if field not in data:
            problems.append(f"missing {field}")
    definition = data.get("definition", {})
    keys = set()
    for section in definition.get("sections", []):
        if section.get("type") not in SECTION_TYPES:
            problems.append(f"section {section.get('key')}: unknown type")
        if section.get("key") in keys or "__" in section.get("key", "__"):
            problems.append(f"section {section.get('key')}: bad or repeated key")
        keys.add(section.get("key"))
        item_keys = [item.get("key") for item in section.get("items", [])]
        if not item_keys or len(set(item_keys)) != len(item_keys):
            problems.append(f"section {section.get('key')}: missing or repeated items")
    values = [c.get("value") for c in definition.get("categories", [])]
    if sorted(values) != [0, 1, 2, 3]:
        problems.append("categories must be 0 (no concerns), 1, 2 and 3")
    for category in definition.get("categories", []):
        for action in category.get("actions", []):
            if action.get("owner") not in OWNERS:
                problems.append(f"action {action.get('key')}: unknown owner")
            if action.get("auto", "notify_coordinator") not in AUTOS:
                problems.append(f"action {action.get('key')}: unknown automatic step")
    if problems:
        raise ValidationError(problems)


def load(model, data: dict):
    """Create the definition row (idempotent per key and version); `model` may be
    the historical model of a migration."""
    check(data)
    row, _ = model.objects.get_or_create(
        key=data["key"],
        version=data["version"],
        defaults={
            "name": data["name"],
            "kind": data["kind"],
            "definition": data["definition"],
        },
    )
    # A newer version replaces the older one for new screenings.
    model.objects.filter(key=data["key"], version__lt=data["version"]).update(
        is_active=False
    )
    return row
