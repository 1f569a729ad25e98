"""manage.py grant_app_role [ROLE]: give the app's database role its rights.

Run as the owner role (manage.py does, with MIGRATION_DATABASE_URL set); migrate runs
it by itself when DATABASE_APP_ROLE (or MIGRATION_DATABASE_URL) names the app role.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from cse.database_roles import grant_app_role


class Command(BaseCommand):
    help = (
        "Grant the app's PostgreSQL role read and write on the app's tables, only "
        "SELECT and INSERT on the audit trail, and nothing it could change the "
        "schema with."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "role", nargs="?", help="the app's role (default: DATABASE_APP_ROLE)"
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, role=None, database=DEFAULT_DB_ALIAS, **options):
        role = role or settings.DATABASE_APP_ROLE
        if not role:
            raise CommandError(
                "Name the app's role, or set DATABASE_APP_ROLE (or "
                "MIGRATION_DATABASE_URL beside DATABASE_URL)."
            )
        grant_app_role(connections[database], role)
        self.stdout.write(
            f"Granted {role}: read and write on the app's tables, SELECT and INSERT "
            "only on the audit trail, no DDL."
        )
