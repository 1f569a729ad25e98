"""Each audit event becomes a link in a hash chain (cse.audit_chain).

Events written before the chain existed are chained here, oldest first, on chain 0.
On PostgreSQL the append-only trigger is set aside for that one backfill, in this
migration's transaction, and restored before it ends; then the insert trigger
cse_auditevent_link places every new event: it takes the first of CHAINS chains
free (a transaction-level advisory lock), reads that chain's last link and sets the
event's chain, seq, prev_hash and hash (cse.audit_chain.link_hash, in SQL).
"""

from django.db import migrations, models

from cse.audit_chain import GENESIS, VERSION, digest, link_hash

# Writers inserting at the same moment each take a free chain: this many can write
# at once without waiting on one another. Another number is a new migration
# replacing the function (existing chains stay valid).
CHAINS = 8
# The advisory-lock namespace of the chains ("csea"); the second key is the chain.
CHAIN_LOCK_KEY = 0x63736561

LINK_FUNCTION = f"""
CREATE OR REPLACE FUNCTION cse_auditevent_link() RETURNS trigger AS $$
DECLARE
    chains constant integer := {CHAINS};
    first_choice constant integer := pg_backend_pid() % chains;
    candidate integer;
    last_seq bigint;
    last_hash varchar;
BEGIN
    NEW.chain := NULL;
    -- The lock function is volatile: each try is real, and each statement below
    -- sees what other transactions committed before the lock was ours.
    FOR step IN 0 .. chains - 1 LOOP
        candidate := (first_choice + step) % chains;
        IF pg_try_advisory_xact_lock({CHAIN_LOCK_KEY}, candidate) THEN
            NEW.chain := candidate;
            EXIT;
        END IF;
    END LOOP;
    IF NEW.chain IS NULL THEN
        PERFORM pg_advisory_xact_lock({CHAIN_LOCK_KEY}, first_choice);
        NEW.chain := first_choice;
    END IF;
    SELECT seq, hash INTO last_seq, last_hash FROM cse_auditevent
        WHERE chain = NEW.chain ORDER BY seq DESC LIMIT 1;
    IF last_seq IS NULL THEN
        NEW.seq := 1;
        NEW.prev_hash := '{GENESIS}';
    ELSE
        NEW.seq := last_seq + 1;
        NEW.prev_hash := last_hash;
    END IF;
    NEW.hash := encode(sha256(convert_to(
        '{VERSION}|' || NEW.chain || '|' || NEW.seq || '|' || NEW.prev_hash || '|'
        || NEW.digest, 'UTF8')), 'hex');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
"""  # noqa: S608 (built from the constants above only)


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
            event_digest = digest(event)
            event_hash = link_hash(0, seq, prev_hash, event_digest)
            cursor.execute(
                "UPDATE cse_auditevent SET digest = %s, chain = 0, seq = %s,"
                " prev_hash = %s, hash = %s WHERE id = %s",
                [event_digest, seq, prev_hash, event_hash, event.pk],
            )
            prev_hash = event_hash
        if postgresql:
            cursor.execute(
                "ALTER TABLE cse_auditevent ENABLE TRIGGER cse_auditevent_append_only"
            )


def link_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(LINK_FUNCTION, params=None)
    schema_editor.execute(
        "CREATE TRIGGER cse_auditevent_link BEFORE INSERT ON cse_auditevent "
        "FOR EACH ROW EXECUTE FUNCTION cse_auditevent_link()",
        params=None,
    )


def drop_link_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS cse_auditevent_link ON cse_auditevent", params=None
    )
    schema_editor.execute("DROP FUNCTION IF EXISTS cse_auditevent_link()", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cse", "0011_referral_sharing_context"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="digest",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.PositiveSmallIntegerField(db_default=0),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, db_default="", max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, db_default="", max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(db_default=0),
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("chain", "seq"), name="cse_audit_one_link_per_place"
            ),
        ),
        migrations.RunPython(link_trigger, drop_link_trigger),
    ]
