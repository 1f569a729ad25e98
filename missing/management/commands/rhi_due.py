"""manage.py rhi_due --for USERNAME [--area SLUG]: the return-home interviews of
children that user may see, with their status, as CSV (through the formula-safe
writer: a police reference comes from an imported file)."""

from django.core.management.base import BaseCommand, CommandError

from cse import audit, permissions
from cse.csv_export import SafeWriter
from cse.models import AuditEvent
from missing import services
from missing.management.commands._area import area_from, reader_from
from missing.views import iso_utc


class Command(BaseCommand):
    help = "Return-home interviews with their 72-hour deadlines and status, as CSV."

    def add_arguments(self, parser):
        parser.add_argument(
            "--for",
            dest="reader",
            required=True,
            help="Username of the case worker who receives the list",
        )
        parser.add_argument("--area", help="Local area slug")

    def handle(self, *args, reader: str, area: str | None, **options):
        user = reader_from(reader)
        if not permissions.sees_records(user):
            raise CommandError(f"{reader} does not work with individual records")
        local_area = area_from(area)
        audit.record(
            by=user,
            action=AuditEvent.Action.EXPORT,
            summary="return-home interviews and their status (command line)",
            detail={"area": local_area.pk if local_area else None},
        )
        writer = SafeWriter(self.stdout)
        writer.writerow(
            ["police_reference", "child_id", "returned_at", "due_at", "status"]
        )
        for row in services.rhi_rows(viewer=user, area=local_area):
            writer.writerow(
                [
                    row.police_reference,
                    row.child_id,
                    iso_utc(row.returned_at),
                    iso_utc(row.due_at),
                    row.status,
                ]
            )
