"""manage.py import_children FILE.csv --agency SLUG

Create the children listed in a CSV file, owned by the agency. The file format and the
rules are described in cse.importing. The whole file is checked first: if anything is
wrong every error is printed, nothing is written, and the command exits non-zero.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cse.importing import ImportRejected, import_children
from cse.models import Agency


class Command(BaseCommand):
    help = "Import children from a CSV file into an agency (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the CSV file (UTF-8).")
        parser.add_argument(
            "--agency",
            required=True,
            help="Slug of the agency that will own the children.",
        )

    def handle(self, *args, file: str, agency: str, **options):
        try:
            owner = Agency.objects.get(slug=agency)
        except Agency.DoesNotExist:
            known = ", ".join(
                Agency.objects.order_by("slug").values_list("slug", flat=True)
            )
            raise CommandError(
                f"No agency has the slug “{agency}”. Known slugs: {known or '(none)'}"
            ) from None
        try:
            with open(file, "rb") as stream:
                report = import_children(file=stream, agency=owner, by=None)
        except OSError as error:
            raise CommandError(
                f"Cannot read {file}: {error.strerror or error}"
            ) from error
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            count = len(rejected.errors)
            raise CommandError(
                f"{file} was rejected ({count} error{'s' if count != 1 else ''}); "
                "nothing was imported."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {report.created} children; "
                f"{report.skipped} already present (unchanged)."
            )
        )
        assumed = report.assumed_section_20
        if assumed:
            one = assumed == 1
            self.stdout.write(
                self.style.WARNING(
                    f"{assumed} looked-after {'child has' if one else 'children have'} "
                    f"no legal_status and {'was' if one else 'were'} recorded as "
                    "accommodated under section 20. "
                    "Check them and record any care order."
                )
            )
