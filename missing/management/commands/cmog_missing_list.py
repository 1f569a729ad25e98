"""manage.py cmog_missing_list --as-of YYYY-MM-DD --for USERNAME [--area SLUG]: CSV
on stdout, of the children that user (a report administrator) may see."""

import datetime

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from cse import audit
from cse.models import AuditEvent
from missing import services
from missing.management.commands._area import area_from, reader_from
from missing.views import write_cmog_csv


class Command(BaseCommand):
    help = "Children meeting the CMOG missing criteria as at a date, as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD")
        parser.add_argument(
            "--for",
            dest="reader",
            required=True,
            help="Username of the report administrator who receives the list",
        )
        parser.add_argument("--area", help="Local area slug")

    def handle(self, *args, as_of: str, reader: str, area: str | None, **options):
        try:
            day = datetime.date.fromisoformat(as_of)
        except ValueError:
            raise CommandError("--as-of must be a date as YYYY-MM-DD") from None
        user = reader_from(reader)
        try:
            rows = services.cmog_list(viewer=user, as_of_day=day, area=area_from(area))
        except PermissionDenied:
            raise CommandError(
                f"{reader} does not administer police missing reports"
            ) from None
        audit.record(
            by=user,
            action=AuditEvent.Action.EXPORT,
            summary=f"CMOG missing list as at {day} (command line)",
            detail={"subject_ids": sorted({r.child.pk for r in rows})},
        )
        write_cmog_csv(self.stdout, rows)
