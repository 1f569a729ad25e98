"""manage.py import_missing_reports FILE.csv [--area SLUG]

The whole file is checked first; on any problem every row, column and reason is
printed, nothing is written and the command exits non-zero.

Rows that match no child (or several) are held for the report administrators of
`--area`. Without `--area`, held rows go to no one: a held row names a child who may
live in any area of the region, so no one area's administrators may see it; the
command says so, and importing the file again with `--area` hands them over.
"""

from django.core.management.base import BaseCommand, CommandError

from cse.importing import ImportRejected
from missing.importing import import_reports, read_text
from missing.management.commands._area import area_from


class Command(BaseCommand):
    help = "Import police missing reports from a CSV file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--area", help="Local area slug")

    def handle(self, *args, file: str, area: str | None, **options):
        local_area = area_from(area)
        try:
            with open(file, "rb") as stream:
                text = read_text(stream.read())
            report = import_reports(text=text, by=None, area=local_area)
        except OSError as error:
            raise CommandError(
                f"Cannot read {file}: {error.strerror or error}"
            ) from error
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{file} was rejected ({len(rejected.errors)} errors); nothing was imported."
            ) from None
        self.stdout.write(
            f"{report.created} new episodes, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.queued} held for matching."
        )
        if local_area is None and report.queued:
            self.stderr.write(
                "Reports held without an area are shown to no one: import the file "
                "again with --area to hand them to that area's administrators."
            )
