"""A meeting document belongs to the agency that receives it. Documents printed
before this were built for their requester, so they become their requester's
agency's; a document whose requester has no agency can belong to no one and goes."""

import django.db.models.deletion
from django.db import migrations, models


def to_requesters_agency(apps, schema_editor):
    MeetingDocument = apps.get_model("meetings", "MeetingDocument")
    if schema_editor.connection.vendor == "postgresql":
        # Check the new foreign keys now, so the column can be altered afterwards in
        # the same transaction (no pending deferred trigger events).
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for document in MeetingDocument.objects.select_related("requested_by"):
        if document.requested_by.agency_id is None:
            document.delete()
        else:
            document.agency_id = document.requested_by.agency_id
            document.save(update_fields=["agency"])


class Migration(migrations.Migration):
    dependencies = [
        ("cse", "0004_referrals"),
        ("meetings", "0002_shipped_meeting_types"),
    ]

    operations = [
        migrations.AddField(
            model_name="meetingdocument",
            name="agency",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cse.agency",
                verbose_name="built for",
            ),
        ),
        migrations.RunPython(to_requesters_agency, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="meetingdocument",
            name="agency",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cse.agency",
                verbose_name="built for",
            ),
        ),
    ]
