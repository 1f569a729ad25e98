"""The disclosure-control rule for every aggregate page and export of the reports.

The rule, one for every page, chart, CSV and PDF:

1. A figure of the viewer's own area is exact.
2. A figure of any other area is rounded to the nearest 5 (0, 1 and 2 become 0;
   3 to 7 become 5; ...) and shown with a "~" ("~0", "~5").
3. A figure over several areas (the region beside an area, "all areas", a total
   row) is the sum of the areas' figures *as shown*: the viewer's own exact, every
   other area rounded. It is never the rounding of the exact sum, and never the
   exact sum, so subtracting the figures shown from one another gives only sums of
   rounded figures: no other area's exact count follows, on one page or across
   pages. (Rounding the exact sum would not do: with the viewer's area at 4 and
   two others at 2, the region's ~10 minus 4 leaves 4 to 8 for two areas shown as
   ~0, that is 0 to 2 each, so both are 2.) It is the same for every viewer who
   has no area inside it, and differs for the others only by their own exact
   figure, which they know.
4. A percentage outside the viewer's area is worked out from the rounded count
   and the rounded base, and a base rounded to 0 has no percentage.
5. A mean that includes children outside the viewer's area is shown only when at
   least `MEAN_MINIMUM` of them are outside it, to one decimal place.

Within one other area, a total and its breakdowns (victims by category, gender,
age...) are rounded each on its own, so they need not add up; the rounded cells
of one table may narrow a value down to a few, as with any rounding, but the
region, all-areas and total figures add nothing to that.

A chart draws the figure as shown; a list of the children (or persons) behind a
figure gives their number only in the viewer's own area (`views.behind_figure`). The pages, CSVs and PDFs say that figures
outside the viewer's area are rounded (`NOTE`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ROUND_TO = 5
MEAN_MINIMUM = 10
NOTE = (
    "Figures outside your own area are rounded to the nearest 5 and marked ~ "
    "(~0 means 0, 1 or 2). Totals over several areas add up the figures as shown."
)
NOT_AVAILABLE = "Not available"


def round5(value: int) -> int:
    """To the nearest multiple of 5, halves up (values are counts, never
    negative)."""
    return ROUND_TO * ((value + ROUND_TO // 2) // ROUND_TO)


@dataclass(frozen=True)
class Figure:
    """A count as it may be shown: its value and whether it was rounded."""

    value: int
    rounded: bool = False

    def __str__(self) -> str:
        return f"~{self.value}" if self.rounded else str(self.value)

    def __add__(self, other: Figure | int) -> Figure:
        if isinstance(other, Figure):
            return Figure(self.value + other.value, self.rounded or other.rounded)
        if other == 0:
            return self
        return NotImplemented

    __radd__ = __add__

    def __eq__(self, other: object) -> bool:
        # Compared with a plain number only when exact, with text as printed.
        if isinstance(other, Figure):
            return (self.value, self.rounded) == (other.value, other.rounded)
        if isinstance(other, bool):
            return False
        if isinstance(other, int):
            return not self.rounded and self.value == other
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.value, self.rounded))


@dataclass(frozen=True)
class Share:
    """A percentage as shown: rounded when either of its figures was."""

    value: float
    rounded: bool = False

    def __str__(self) -> str:
        return f"~{self.value}%" if self.rounded else f"{self.value}%"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Share):
            return (self.value, self.rounded) == (other.value, other.rounded)
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.value, self.rounded))


def magnitude(value) -> float | None:
    """The number a chart draws for a value as shown (None: no bar)."""
    if isinstance(value, Figure | Share):
        return value.value
    return None


def total(figures: Iterable[Figure]) -> Figure:
    """The sum of figures as shown (rule 3)."""
    return sum(figures, Figure(0))


@dataclass(frozen=True)
class Disclosure:
    """The rule for one viewer: `own_area_id` is the area whose figures they see
    exactly (None: none)."""

    own_area_id: int | None

    def exact_for(self, area_id: int | None) -> bool:
        return area_id is not None and area_id == self.own_area_id

    def figure(self, value: int | None, area_id: int | None) -> Figure | None:
        """One area's count. `area_id` None means several areas: callers sum the
        areas' figures instead (`combine`), so it is only rounded here."""
        if value is None:
            return None
        if isinstance(value, Figure):
            return value
        if self.exact_for(area_id):
            return Figure(int(value))
        return Figure(round5(int(value)), rounded=True)

    def shown_tree(self, tree, area_id: int | None):
        """Every count in a nested structure of dicts and lists as shown."""
        if isinstance(tree, bool) or tree is None or isinstance(tree, str | float):
            return tree
        if isinstance(tree, int):
            return self.figure(tree, area_id)
        if isinstance(tree, Mapping):
            return {key: self.shown_tree(value, area_id) for key, value in tree.items()}
        if isinstance(tree, list | tuple):
            return [self.shown_tree(value, area_id) for value in tree]
        return tree

    def combine(self, trees: Mapping[int, object]):
        """Several areas' structures ({area id: tree}) as one: every count the sum
        of the areas' counts as shown (rule 3); a key missing from an area counts
        as 0 there; text is taken from the first area that has it."""
        return _sum_trees([self.shown_tree(tree, pk) for pk, tree in trees.items()])

    def percent(
        self, part: Figure | None, whole: Figure | None, places: int = 1
    ) -> Share | None:
        """A share of figures as shown (rule 4); None when the base is 0."""
        if part is None or whole is None or not whole.value:
            return None
        share = round(100 * part.value / whole.value, places)
        if places == 0:
            share = int(share)
        return Share(share, rounded=part.rounded or whole.rounded)

    def mean(self, own: list[float], others: list[float], places: int = 2):
        """A mean of changes; `others` are the values from outside the viewer's
        area (rule 5). None when it may not be shown or there is nothing."""
        values = [*own, *others]
        if not values:
            return None
        if others and len(others) < MEAN_MINIMUM:
            return None
        if others:
            places = 1
        return round(sum(values) / len(values), places)


def _sum_trees(trees: list):
    present = [tree for tree in trees if tree is not None]
    if not present:
        return None
    first = present[0]
    if isinstance(first, Figure):
        return total(t for t in present if isinstance(t, Figure))
    if isinstance(first, Mapping):
        keys: list = []
        for tree in present:
            for key in tree:
                if key not in keys:
                    keys.append(key)
        return {key: _sum_trees([tree.get(key) for tree in present]) for key in keys}
    if isinstance(first, list):
        width = max(len(tree) for tree in present)
        return [
            _sum_trees([tree[i] for tree in present if i < len(tree)])
            for i in range(width)
        ]
    return first


def is_safe(value) -> bool:
    """Whether a shown value reveals no exact count: a rounded figure, text
    or nothing. For tests and assertions."""
    return not isinstance(value, Figure) or value.rounded
