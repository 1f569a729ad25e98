"""migrate, then (on PostgreSQL, when the app role is named) grant the app role its
rights again, so a table a migration added is covered at once (cse.database_roles)."""

from django.conf import settings
from django.core.management.commands import migrate
from django.db import connections

from cse.database_roles import grant_app_role


class Command(migrate.Command):
    def handle(self, *args, **options):
        super().handle(*args, **options)
        role = settings.DATABASE_APP_ROLE
        connection = connections[options["database"]]
        if (
            not role
            or connection.vendor != "postgresql"
            or options.get("plan")
            or options.get("check_unapplied")
        ):
            return
        grant_app_role(connection, role)
        if options["verbosity"] >= 1:
            self.stdout.write(f"Granted the app role {role} its rights.")
