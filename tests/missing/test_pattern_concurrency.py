"""A pattern rule fires once, even when two people record episodes for the same
child at the same moment and both cross the rule: both episodes are kept, the rule
is matched once, the child is flagged once, and nobody sees an error.

Two threads, each with its own PostgreSQL connection, are lined up with a barrier
after each has written its episode and before either evaluates the rules, so both
transactions see the rule newly met. (SQLite takes its write lock when a transaction
starts, so writers there never overlap.)"""

from __future__ import annotations

import contextlib
import re
import threading
from collections import Counter

from django.test import Client
from django.urls import reverse

from cse.models import ChildFlag, Referral
from missing import services
from missing.models import MissingEpisode, PatternMatch
from tests.concurrency import concurrent, in_threads
from tests.missing.helpers import at, episode

pytestmark = concurrent

# The rules four missing episodes within a month meet: the second recording waits for
# the first, so it counts both of the new episodes, as one after the other would.
FOUR_EPISODE_RULES = {
    "three_in_30_days",
    "three_in_12_months",
    "mase_three_in_3_months",
    "recidivist",
}


def _line_up_before_the_rules(monkeypatch, parties: int = 2) -> threading.Barrier:
    """Each recording waits here, its episode written but not committed, until the
    other one has got as far. A fix that serialises the two earlier (so the second
    never reaches the barrier while the first waits) is let through by the
    timeout."""
    barrier = threading.Barrier(parties, timeout=5)
    evaluate_child = services.evaluate_child

    def lined_up(**kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return evaluate_child(**kwargs)

    monkeypatch.setattr(services, "evaluate_child", lined_up)
    return barrier


def _two_earlier_episodes(child, by):
    for day in (1, 10):
        episode(child, by, at(2020, 3, day, 10), returned=at(2020, 3, day, 20))
    assert not PatternMatch.objects.filter(child=child).exists()


def _assert_fired_once(child):
    rules = Counter(
        PatternMatch.objects.filter(child=child).values_list("rule", flat=True)
    )
    assert set(rules) == FOUR_EPISODE_RULES
    assert set(rules.values()) == {1}
    assert (
        ChildFlag.objects.filter(
            child=child, kind=ChildFlag.Kind.MISSING_PATTERN, removed_at__isnull=True
        ).count()
        == 1
    )
    referrals = Counter(
        Referral.objects.filter(
            subject=child, source=Referral.Source.MISSING_PATTERN
        ).values_list("source_id", "forum")
    )
    assert len(referrals) >= len(FOUR_EPISODE_RULES)
    assert set(referrals.values()) == {1}


def test_two_recordings_crossing_a_rule_at_once_both_save_and_it_fires_once(
    monkeypatch, alice, carol, child
):
    _two_earlier_episodes(child, alice)
    _line_up_before_the_rules(monkeypatch)

    def record(day, by):
        return lambda: (
            episode(child, by, at(2020, 3, day, 10), returned=at(2020, 3, day, 20)).pk
        )

    saved, errors = in_threads(record(20, alice), record(21, carol))

    assert not errors, errors
    assert len(saved) == 2
    assert MissingEpisode.objects.filter(child=child).count() == 4
    _assert_fired_once(child)


def _form_fields(client: Client, url: str) -> dict[str, str]:
    """The hidden fields the page gives its form (a one-time token, if any)."""
    page = client.get(url).content.decode()
    return {
        name: value
        for name, value in re.findall(
            r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page
        )
        if name != "csrfmiddlewaretoken"
    }


def _episode_post(day: int) -> dict[str, str]:
    return {
        "category": "missing",
        "missing_from": "care",
        "reported_at_0": str(day),
        "reported_at_1": "3",
        "reported_at_2": "2020",
        "reported_at_3": "11:00",
        "last_seen_at_0": str(day),
        "last_seen_at_1": "3",
        "last_seen_at_2": "2020",
        "last_seen_at_3": "10:00",
        "returned_at_0": str(day),
        "returned_at_1": "3",
        "returned_at_2": "2020",
        "returned_at_3": "20:00",
        "risk_level": "medium",
    }


def test_two_people_submitting_the_episode_page_at_once_both_get_their_episode(
    monkeypatch, alice, carol, child
):
    _two_earlier_episodes(child, alice)
    url = reverse("missing:episode_create", args=[child.pk])
    clients = []
    for user in (alice, carol):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)
    posts = [
        {**_form_fields(client, url), **_episode_post(day)}
        for client, day in zip(clients, (20, 21), strict=True)
    ]
    _line_up_before_the_rules(monkeypatch)

    def submit(client, data):
        return lambda: client.post(url, data).status_code

    statuses, errors = in_threads(
        *(submit(client, data) for client, data in zip(clients, posts, strict=True))
    )

    assert not errors, errors
    assert statuses == [302, 302]
    assert MissingEpisode.objects.filter(child=child).count() == 4
    _assert_fired_once(child)
