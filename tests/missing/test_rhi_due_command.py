"""manage.py rhi_due writes its CSV through the formula-safe writer."""

import csv
import io

import pytest
from django.core.management import call_command

from tests.missing.helpers import at, episode


@pytest.mark.parametrize(
    "reference", ['=HYPERLINK("http://example.invalid","x")', "+1", "-1", "@SUM(A1)"]
)
def test_rhi_due_neutralises_cells_a_spreadsheet_would_run(alice, child, reference):
    episode(
        child,
        alice,
        at(2020, 3, 1, 10),
        returned=at(2020, 3, 1, 20),
        police_reference=reference,
    )
    out = io.StringIO()
    call_command("rhi_due", "--for", alice.username, stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[1][0] == "'" + reference
    assert rows[1][1:] == [
        str(child.pk),
        "2020-03-01T20:00:00Z",
        "2020-03-04T20:00:00Z",
        "overdue",
    ]
