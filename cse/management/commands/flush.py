"""flush, which on PostgreSQL the audit trail refuses (its TRUNCATE trigger) unless
AUDIT_TRAIL_FLUSHABLE is on: only the test settings turn it on, so tests that commit
can empty their database between them. Even then only the owner may do it."""

from django.conf import settings
from django.core.management.commands import flush
from django.db import connections, transaction

from cse.database_roles import APPEND_ONLY_TABLES

TRUNCATE_TRIGGER = "{table}_no_truncate"


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql" or not settings.AUDIT_TRAIL_FLUSHABLE:
            return super().handle(**options)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t"
                " JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE c.relname = ANY(%s) AND t.tgname = c.relname || '_no_truncate'",
                [list(APPEND_ONLY_TABLES)],
            )
            tables = [name for (name,) in cursor.fetchall()]
        quote = connection.ops.quote_name
        with transaction.atomic(using=options["database"]):
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(
                        f"ALTER TABLE {quote(table)} DISABLE TRIGGER "
                        f"{quote(TRUNCATE_TRIGGER.format(table=table))}"
                    )
            super().handle(**options)
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(
                        f"ALTER TABLE {quote(table)} ENABLE TRIGGER "
                        f"{quote(TRUNCATE_TRIGGER.format(table=table))}"
                    )
