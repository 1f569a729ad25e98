"""manage.py restore BACKUP [--force] [--check]: restore a backup made by
manage.py backup into the configured database, which must be new and empty (and the
file storage empty) unless --force; grant the app role; then verify the result
against the backup's manifest, with exit status 1 if anything differs.

  restore BACKUP --check   only check the backup's files against its checksums

Runs as the database owner (manage.py switches to MIGRATION_DATABASE_URL)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cse.backups import BackupError, check_backup, restore_backup


class Command(BaseCommand):
    help = "Restore a backup into a new database and verify it."

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="the backup's directory")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace what the database and file storage already hold",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only check the backup's files against its manifest",
        )

    def handle(self, *args, backup: Path, force=False, check=False, **options):
        try:
            if check:
                manifest = check_backup(backup)
                self.stdout.write(
                    f"The backup made {manifest['created_at']} is complete: "
                    f"{len(manifest['files'])} files match their checksums."
                )
                return
            result = restore_backup(path=backup, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored the backup made {result.manifest['created_at']} "
            f"(version {result.manifest['app']['version']})."
        )
        for line in result.checks:
            self.stdout.write(f"  {line}")
        if result.problems:
            for problem in result.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"The restore does not match the backup: {len(result.problems)} "
                f"{'problem' if len(result.problems) == 1 else 'problems'}; do not "
                "use this database until they are understood.",
                returncode=1,
            )
        self.stdout.write("The restored database and files match the backup.")
