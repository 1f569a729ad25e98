"""CAWN PDF render time. Run against the scale database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cse_bench \
        .venv/bin/python benchmarks/bench_disruption.py

Renders a notice's PDF (both copies) of each variant repeatedly; writes nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cse.settings")

import django  # noqa: E402

django.setup()

import datetime  # noqa: E402

from django.utils import timezone  # noqa: E402

from cse.models import LocalArea  # noqa: E402
from disruption.models import Cawn  # noqa: E402
from disruption.pdf import render_cawn_pdf  # noqa: E402

RUNS = 20


def main() -> None:
    # The notice carries its own particulars, so an unsaved one renders exactly as
    # a stored one would: nothing is written to the shared benchmark database.
    area = LocalArea.objects.first()
    cawn = Cawn(
        pk=1,
        variant="under_16",
        cites_section_2=True,
        issue_date=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=400),
        child_name="Testchild Sampleton",
        child_age=14,
        child_date_of_birth=datetime.date(2011, 1, 1),
        parental_responsibility="Testmother Sampleton",
        department_name=(area.children_services_department if area else "")
        or "Benchshire Children's Services",
        contact_phones="Children's services 0121 496 0001; Out of hours 0121 496 0002",
        recipient_name="Testperson Exampleby",
        recipient_date_of_birth=datetime.date(1980, 1, 1),
        recipient_address="1 Sample Street, Testtown",
        officer_name="Bench Officer",
        officer_collar_number="PC 9999",
        officer_station="Bench Central",
    )
    for variant, section_2 in (("under_16", True), ("looked_after", False)):
        cawn.variant, cawn.cites_section_2 = variant, section_2
        render_cawn_pdf(cawn)  # warm up fonts
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            size = len(render_cawn_pdf(cawn))
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print(
            f"CAWN PDF {variant} (2 copies, {size} bytes), {RUNS} runs: "
            f"median {statistics.median(times):.0f} ms, "
            f"p95 {times[int(RUNS * 0.95) - 1]:.0f} ms, min {times[0]:.0f} ms, "
            f"max {times[-1]:.0f} ms"
        )


if __name__ == "__main__":
    main()
