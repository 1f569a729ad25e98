"""manage.py cmog_missing_list --as-of YYYY-MM-DD [--area SLUG]: CSV on stdout."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from missing import services
from missing.management.commands._area import area_from
from missing.views import write_cmog_csv


class Command(BaseCommand):
    help = "Children meeting the CMOG missing criteria as at a date, as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD")
        parser.add_argument("--area", help="Local area slug")

    def handle(self, *args, as_of: str, area: str | None, **options):
        try:
            day = datetime.date.fromisoformat(as_of)
        except ValueError:
            raise CommandError("--as-of must be a date as YYYY-MM-DD") from None
        rows = services.cmog_list(as_of_day=day, area=area_from(area))
        write_cmog_csv(self.stdout, rows)
