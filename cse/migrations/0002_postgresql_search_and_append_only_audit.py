"""PostgreSQL-only parts of the schema.

* pg_trgm and a trigram index on Subject.search_text: spelling-tolerant search.
* A trigger that refuses UPDATE and DELETE on the audit trail, so it is append-only
  whatever the application (or a console session) tries.
SQLite, the local trial database, gets neither; search falls back to substrings.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS cse_subject_search_trgm ON cse_subject "
    "USING gin (search_text gin_trgm_ops)",
    """
    CREATE OR REPLACE FUNCTION cse_auditevent_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'The audit trail is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS cse_auditevent_append_only ON cse_auditevent",
    "CREATE TRIGGER cse_auditevent_append_only BEFORE UPDATE OR DELETE ON cse_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION cse_auditevent_refuse_change()",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS cse_auditevent_append_only ON cse_auditevent",
    "DROP FUNCTION IF EXISTS cse_auditevent_refuse_change()",
    "DROP INDEX IF EXISTS cse_subject_search_trgm",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("cse", "0001_initial")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
