"""Tools are data: loaded by the migration, checked, versioned."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from screening import services, tooldefs
from screening.models import ToolDefinition


def test_the_migration_loads_the_three_tools(db):
    keys = set(ToolDefinition.objects.values_list("key", flat=True))
    assert keys == {"regional", "sandwell", "nwg"}


def test_the_regional_tool_has_the_forms_indicators(regional):
    sections = {s["key"]: s for s in regional.sections}
    assert len(sections["significant"]["items"]) == 8
    assert len(sections["risk"]["items"]) == 20
    assert len(sections["vulnerability"]["items"]) == 10
    assert [c["value"] for c in regional.categories] == [0, 1, 2, 3]


def test_the_sandwell_variant_adds_its_action_taken_table_as_data(tools):
    sections = {s["key"]: s for s in tools["sandwell"].sections}
    assert sections["action_taken"]["type"] == "action_table"
    assert "Discuss with line manager" in [
        i["label"] for i in sections["action_taken"]["items"]
    ]


def test_a_bad_definition_is_refused():
    data = tooldefs.read("regional-v1.json")
    data["definition"]["sections"][0]["type"] = "slider"
    with pytest.raises(ValidationError):
        tooldefs.check(data)


def test_a_screening_keeps_the_version_it_was_answered_against(
    alice, child, regional, tmp_path
):
    screening = services.start_screening(by=alice, child=child, definition=regional)
    data = copy.deepcopy(tooldefs.read("regional-v1.json"))
    data["version"] = 2
    data["definition"]["sections"][4]["items"].append(
        {"key": "r21", "label": "A new indicator"}
    )
    path = tmp_path / "regional-v2.json"
    path.write_text(json.dumps(data))
    call_command("load_tool_definition", str(path))
    screening.refresh_from_db()
    assert screening.definition.version == 1
    regional.refresh_from_db()
    assert not regional.is_active
    assert services.active_definitions().get(key="regional").version == 2
