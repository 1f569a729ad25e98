"""The "CAWN in force" flag no longer names the person of interest: everyone who sees
the child reads the flag (and its chronology line), and the person may be a record
their agency does not hold. Flags set before lose the person's reference."""

import re

from django.db import migrations

PERSON = re.compile(r" \(person of interest P-\d+\)\.$")


def forget_person(apps, schema_editor):
    ChildFlag = apps.get_model("cse", "ChildFlag")
    ChronologyEntry = apps.get_model("cse", "ChronologyEntry")
    for flag in ChildFlag.objects.filter(
        kind="cawn_in_force", reason__contains="(person of interest P-"
    ):
        flag.reason = PERSON.sub(".", flag.reason)
        flag.save(update_fields=["reason"])
    for entry in ChronologyEntry.objects.filter(
        description__startswith="Child abduction warning notice ",
        description__contains="(person of interest P-",
    ):
        entry.description = PERSON.sub(".", entry.description)
        entry.save(update_fields=["description"])


class Migration(migrations.Migration):
    dependencies = [
        ("disruption", "0002_tactic_catalogue"),
        ("cse", "0014_chronology_mentions"),
    ]

    operations = [migrations.RunPython(forget_person, migrations.RunPython.noop)]
