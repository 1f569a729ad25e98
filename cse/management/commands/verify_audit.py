"""manage.py verify_audit: walk the audit hash chains and report the first broken or
missing link of each (exit status 1), or that the trail is intact.

  verify_audit                          every chain from its first link
  verify_audit --since 2026-01-01 --until 2026-01-31
                                        the links written on those days (UTC), and the
                                        link each range follows from
  verify_audit --print-anchor           after verifying, print each chain's last link
                                        as an anchor to keep outside the database
  verify_audit --anchor 3:1234:ab12...  also check that these anchors (or those in
  verify_audit --anchor-file anchors    a file) are still links of their chains:
                                        a chain rewritten or cut short since fails
"""

from __future__ import annotations

import datetime
import re
import sys
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max, Min

from cse.audit_chain import GENESIS, digest, link_hash
from cse.models import AuditEvent

ANCHOR = re.compile(r"\b(\d+):(\d+):([0-9a-f]{64})\b")


@dataclass
class Link:
    pk: int
    chain: int
    seq: int
    prev_hash: str
    hash: str
    at: datetime.datetime


class Command(BaseCommand):
    help = (
        "Check the audit trail's hash chains; report the first broken or missing link."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", type=_date, help="first day (YYYY-MM-DD, UTC)")
        parser.add_argument("--until", type=_date, help="last day (YYYY-MM-DD, UTC)")
        parser.add_argument(
            "--print-anchor",
            action="store_true",
            help="print each chain's last link once the trail checks out",
        )
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="CHAIN:SEQ:HASH",
            help="a link printed earlier by --print-anchor (repeatable)",
        )
        parser.add_argument(
            "--anchor-file",
            help="a file of anchors printed earlier by --print-anchor ('-': stdin)",
        )

    def handle(self, *args, since=None, until=None, **options):
        anchors = self._anchors(options["anchor"], options["anchor_file"])
        if since and until and since > until:
            raise CommandError("--since is after --until.")
        events = AuditEvent.objects.all()
        if since:
            events = events.filter(at__gte=_midnight(since))
        if until:
            events = events.filter(at__lt=_midnight(until + datetime.timedelta(1)))
        problems: list[str] = []
        last_links: dict[int, Link] = {}
        counted = 0
        for chain, low, high in (
            events.values_list("chain")
            .annotate(low=Min("seq"), high=Max("seq"))
            .order_by("chain")
        ):
            count, last, problem = self._walk(chain, low, high)
            counted += count
            if last is not None:
                last_links[chain] = last
            if problem:
                problems.append(f"Chain {chain}: {problem}")
        problems.extend(self._check_anchors(anchors))
        span = _span(since, until)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(
                f"The audit trail has been altered: {len(problems)} "
                f"{'problem' if len(problems) == 1 else 'problems'} ({span}).",
                returncode=1,
            )
        self.stdout.write(
            f"The audit trail is intact: {counted} events in {len(last_links)} "
            f"{'chain' if len(last_links) == 1 else 'chains'}, {span}"
            + (f"; {len(anchors)} anchors found in it." if anchors else ".")
        )
        if options["print_anchor"]:
            for chain, link in sorted(last_links.items()):
                self.stdout.write(
                    f"{chain}:{link.seq}:{link.hash}  "
                    f"{link.at.astimezone(datetime.UTC):%Y-%m-%dT%H:%M:%SZ}"
                )

    def _walk(self, chain: int, low: int, high: int):
        """Check links low..high of `chain` and the one before low; returns (links
        checked, the last good link, the first problem or None)."""
        if low < 1:
            row = AuditEvent.objects.filter(chain=chain, seq__lt=1).first()
            return (
                0,
                None,
                (
                    f"event #{row.pk} ({row.at:%Y-%m-%d %H:%M:%S}) is not a link of the "
                    "chain: it was written around cse.audit.record"
                ),
            )
        expected_prev = GENESIS
        if low > 1:
            before = AuditEvent.objects.filter(chain=chain, seq=low - 1).first()
            if before is None:
                return 0, None, f"link {low - 1} is missing (removed)"
            if _problem(before):
                return (
                    0,
                    None,
                    (
                        f"link {before.seq} (event #{before.pk}), the one before the "
                        "range, has been changed since it was written"
                    ),
                )
            expected_prev = before.hash
        expected_seq, count, last = low, 0, None
        rows = (
            AuditEvent.objects.filter(chain=chain, seq__gte=low, seq__lte=high)
            .order_by("seq")
            .iterator(chunk_size=2000)
        )
        for event in rows:
            where = f"link {event.seq} (event #{event.pk}, {event.at:%Y-%m-%d %H:%M:%S} UTC)"
            if event.seq != expected_seq:
                missing = (
                    f"link {expected_seq}"
                    if event.seq == expected_seq + 1
                    else f"links {expected_seq} to {event.seq - 1}"
                )
                return count, last, f"{missing} missing (removed) before {where}"
            if event.prev_hash != expected_prev:
                return (
                    count,
                    last,
                    (
                        f"{where} does not follow the link before it (a row was "
                        "removed, replaced or rewritten)"
                    ),
                )
            if problem := _problem(event):
                return count, last, f"{where} {problem}"
            expected_prev, expected_seq = event.hash, event.seq + 1
            count += 1
            last = Link(
                event.pk, chain, event.seq, event.prev_hash, event.hash, event.at
            )
        return count, last, None

    def _anchors(
        self, given: list[str], path: str | None
    ) -> list[tuple[int, int, str]]:
        texts = list(given)
        if path:
            try:
                texts.append(
                    sys.stdin.read() if path == "-" else open(path).read()  # noqa: SIM115
                )
            except OSError as exc:
                raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        anchors = []
        for text in texts:
            found = ANCHOR.findall(text)
            if not found:
                raise CommandError(
                    f"{text.strip()[:80]!r} holds no anchor (CHAIN:SEQ:HASH, as "
                    "--print-anchor prints them)."
                )
            anchors.extend((int(c), int(s), h) for c, s, h in found)
        return anchors

    def _check_anchors(self, anchors) -> list[str]:
        problems = []
        for chain, seq, expected in anchors:
            found = (
                AuditEvent.objects.filter(chain=chain, seq=seq)
                .values_list("hash", flat=True)
                .first()
            )
            if found is None:
                problems.append(
                    f"Anchor {chain}:{seq}: chain {chain} no longer has link {seq} "
                    "(events were removed from its end, or the chain was rewritten)"
                )
            elif found != expected:
                problems.append(
                    f"Anchor {chain}:{seq}: link {seq} of chain {chain} is not the "
                    "one anchored (the chain was rewritten from there or before)"
                )
        return problems


def _problem(event: AuditEvent) -> str | None:
    if not event.digest:
        return "has no digest: it was written around cse.audit.record"
    if digest(event) != event.digest:
        return (
            "has been changed since it was written (its fields no longer match "
            "its digest)"
        )
    if link_hash(event.chain, event.seq, event.prev_hash, event.digest) != event.hash:
        return "has been changed since it was written (its link hash is wrong)"
    return None


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from exc


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


def _span(since, until) -> str:
    if since and until:
        return f"{since} to {until}"
    if since:
        return f"from {since}"
    if until:
        return f"up to {until}"
    return "from the first event"
