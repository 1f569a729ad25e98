"""Chronology entries hold the other record they are about in `mentions`, and name
it as {record} in their title, so that each reader sees it only if they may see it.

Existing entries whose title names another record by its reference (the links) are
rewritten that way. Older warning-notice entries name only the notice, not its other
party, and are left as they are.
"""

import re

import django.db.models.deletion
from django.db import migrations, models

MENTION = "{record}"
REFERENCE = re.compile(r"\b([CPLV])-(\d{6})\b")
KIND_OF_PREFIX = {"C": "child", "P": "person", "L": "location", "V": "vehicle"}
PREFIX_OF_KIND = {kind: prefix for prefix, kind in KIND_OF_PREFIX.items()}


def name_mentions(apps, schema_editor):
    ChronologyEntry = apps.get_model("cse", "ChronologyEntry")
    Subject = apps.get_model("cse", "Subject")
    candidates = ChronologyEntry.objects.filter(
        mentions__isnull=True, title__regex=r"[CPLV]-[0-9]{6}"
    ).only("pk", "title", "subject_id")
    for entry in candidates.iterator(chunk_size=2000):
        others = {
            (prefix, int(number))
            for prefix, number in REFERENCE.findall(entry.title)
            if int(number) != entry.subject_id
        }
        if len(others) != 1:
            continue
        ((prefix, pk),) = others
        if not Subject.objects.filter(pk=pk, kind=KIND_OF_PREFIX[prefix]).exists():
            continue
        entry.title = re.sub(rf"\b{prefix}-{pk:06d}\b", MENTION, entry.title)
        entry.mentions_id = pk
        entry.save(update_fields=["title", "mentions"])


def restore_references(apps, schema_editor):
    ChronologyEntry = apps.get_model("cse", "ChronologyEntry")
    entries = ChronologyEntry.objects.filter(mentions__isnull=False).select_related(
        "mentions"
    )
    for entry in entries.iterator(chunk_size=2000):
        reference = f"{PREFIX_OF_KIND[entry.mentions.kind]}-{entry.mentions_id:06d}"
        entry.title = entry.title.replace(MENTION, reference)
        entry.mentions_id = None
        entry.save(update_fields=["title", "mentions"])


class Migration(migrations.Migration):
    dependencies = [
        ("cse", "0013_audit_refuses_truncate"),
    ]

    operations = [
        migrations.AddField(
            model_name="chronologyentry",
            name="mentions",
            field=models.ForeignKey(
                blank=True,
                help_text="The other record this entry is about, named in the title as {record}",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cse.subject",
            ),
        ),
        migrations.RunPython(name_mentions, restore_references),
    ]
