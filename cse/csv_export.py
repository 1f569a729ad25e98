"""CSV files the app hands out: cells that a spreadsheet would run as a formula are
neutralised, so a name typed as `=HYPERLINK(...)` stays text when the file is opened,
and characters that would disguise a cell's text (a right-to-left override; see
cse.hidden_characters) are shown as markers."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from cse.hidden_characters import show_hidden

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = show_hidden(value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """A csv.writer whose rows are neutralised cell by cell."""

    def __init__(self, stream) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
