"""Print the LSCB quarterly CSE dataset for an area (or "all") and quarter."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from cse.models import LocalArea
from reports import dataset, export


class Command(BaseCommand):
    help = "Print the quarterly CSE dataset (Appendix 8) as JSON or CSV."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--area", required=True, help='Area slug, or "all"')
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--quarter", type=int, required=True, choices=[1, 2, 3, 4])
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, area: str, year: int, quarter: int, format: str, **options):
        local_area = None
        if area != "all":
            local_area = LocalArea.objects.filter(slug=area).first()
            if local_area is None:
                raise CommandError(f"No area with the slug {area!r}")
        figures = dataset.compute(area=local_area, year=year, quarter=quarter)
        if format == "json":
            self.stdout.write(json.dumps(figures, indent=2, sort_keys=True))
        else:
            export.write_csv(self.stdout, figures)
