"""manage.py rhi_due [--area SLUG]: every return-home interview and its status, as CSV
(through the formula-safe writer: a police reference comes from an imported file)."""

from django.core.management.base import BaseCommand

from cse.csv_export import SafeWriter
from missing import services
from missing.management.commands._area import area_from
from missing.views import iso_utc


class Command(BaseCommand):
    help = "Return-home interviews with their 72-hour deadlines and status, as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--area", help="Local area slug")

    def handle(self, *args, area: str | None, **options):
        writer = SafeWriter(self.stdout)
        writer.writerow(
            ["police_reference", "child_id", "returned_at", "due_at", "status"]
        )
        for row in services.rhi_rows(area=area_from(area)):
            writer.writerow(
                [
                    row.police_reference,
                    row.child_id,
                    iso_utc(row.returned_at),
                    iso_utc(row.due_at),
                    row.status,
                ]
            )
