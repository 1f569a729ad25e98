"""Load a new tool definition (a local variant, or a new version) from a JSON file."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from screening import tooldefs
from screening.models import ToolDefinition


class Command(BaseCommand):
    help = "Load a screening tool definition from a JSON file (see screening/tools/)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            row = tooldefs.load(ToolDefinition, data)
        except (OSError, ValueError, ValidationError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Loaded {row}")
