"""manage.py backup [--output DIR]: back up the database and the uploaded files into
one new directory under DIR (default: var/backups under CSE_VAR_DIR), with a
manifest of rows, migrations, audit anchors and checksums (cse.backups).

Runs as the database owner (manage.py switches to MIGRATION_DATABASE_URL). The
directory and its files are readable by the user running it only."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cse.backups import BackupError, make_backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files, with a manifest."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="directory to write the backup under (default: var/backups)",
        )

    def handle(self, *args, output=None, **options):
        output = output or Path(settings.VAR_DIR) / "backups"
        try:
            made = make_backup(output=output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = made.manifest
        stored = [f for f in manifest["files"] if f["path"].startswith("files/")]
        self.stdout.write(f"Backup written to {made.path}")
        self.stdout.write(
            f"  database: {manifest['database']['vendor']}, "
            f"{len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows"
        )
        self.stdout.write(
            f"  files: {len(stored)} uploaded files, "
            f"{sum(f['bytes'] for f in stored)} bytes"
        )
        trail = manifest["audit"]
        if not trail["intact"]:
            for problem in trail["problems"]:
                self.stderr.write(problem)
            raise CommandError(
                "The backup is written, but the audit trail in it does not verify "
                "(above): keep this backup as evidence and investigate.",
                returncode=1,
            )
        self.stdout.write(f"  audit trail: {trail['summary']}")
        for anchor in trail["anchors"]:
            self.stdout.write(f"  anchor {anchor}")
