#!/usr/bin/env python
import os
import sys

# The commands that change the schema or the app role's privileges, and backup and
# restore (which read and write every table), run as the database owner
# (MIGRATION_DATABASE_URL, when set); everything else as the app.
OWNER_COMMANDS = {"migrate", "grant_app_role", "backup", "restore"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cse.settings")
    if len(sys.argv) > 1 and sys.argv[1] in OWNER_COMMANDS:
        os.environ.setdefault("CSE_DATABASE_ROLE", "owner")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
