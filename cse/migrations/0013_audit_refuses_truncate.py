"""PostgreSQL: the audit trail refuses TRUNCATE too.

0002's row-level trigger refuses UPDATE and DELETE, but TRUNCATE fires no row
triggers; this statement-level one refuses it (CASCADE from another table included).
The app's role has no TRUNCATE right in the first place (cse.database_roles); this
stops the owner's console too. SQLite, the local trial database, has no TRUNCATE.
"""

from django.db import migrations

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION cse_auditevent_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'The audit trail is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS cse_auditevent_no_truncate ON cse_auditevent",
    "CREATE TRIGGER cse_auditevent_no_truncate BEFORE TRUNCATE ON cse_auditevent "
    "FOR EACH STATEMENT EXECUTE FUNCTION cse_auditevent_refuse_change()",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS cse_auditevent_no_truncate ON cse_auditevent",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("cse", "0012_audit_hash_chain")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
