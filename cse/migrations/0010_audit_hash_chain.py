"""Each audit event becomes a link in a hash chain (cse.audit_chain).

Events written before the chain existed are chained here, oldest first, on chain 0.
On PostgreSQL the append-only trigger is set aside for that one backfill, in this
migration's transaction, and restored before it ends.
"""

from django.db import migrations, models

from cse.audit_chain import GENESIS, link_hash


def chain_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("cse", "AuditEvent")
    connection = schema_editor.connection
    events = AuditEvent.objects.using(connection.alias).order_by("at", "pk")
    if not events.exists():
        return
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            cursor.execute(
                "ALTER TABLE cse_auditevent DISABLE TRIGGER cse_auditevent_append_only"
            )
        prev_hash = GENESIS
        for seq, event in enumerate(events.iterator(chunk_size=2000), start=1):
            event.chain, event.seq, event.prev_hash = 0, seq, prev_hash
            event.hash = prev_hash = link_hash(event)
            cursor.execute(
                "UPDATE cse_auditevent SET chain = %s, seq = %s, prev_hash = %s,"
                " hash = %s WHERE id = %s",
                [event.chain, event.seq, event.prev_hash, event.hash, event.pk],
            )
        if postgresql:
            cursor.execute(
                "ALTER TABLE cse_auditevent ENABLE TRIGGER cse_auditevent_append_only"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cse", "0009_user_sessions"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("chain", "seq"), name="cse_audit_one_link_per_place"
            ),
        ),
    ]
