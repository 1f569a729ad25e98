import datetime

from cse.models import ChildFlag, Forum, Referral
from missing import services
from missing.models import MissingRules, PatternMatch
from tests.missing.helpers import at, episode


def test_the_third_episode_in_30_days_flags_the_child_and_refers_to_cmog(alice, child):
    for day in (1, 10, 20):
        episode(child, alice, at(2020, 3, day, 10), returned=at(2020, 3, day, 20))
    flag = ChildFlag.objects.get(child=child, kind=ChildFlag.Kind.MISSING_PATTERN)
    assert "3 missing episodes within 30 days" in flag.reason
    assert flag.set_by is None
    forums = set(Referral.objects.filter(subject=child).values_list("forum", flat=True))
    assert Forum.CMOG in forums and Forum.MASE in forums
    assert PatternMatch.objects.filter(child=child, rule="three_in_30_days").exists()


def test_absences_never_count(alice, child):
    for day in (1, 10, 20):
        episode(
            child,
            alice,
            at(2020, 3, day, 10),
            returned=at(2020, 3, day, 11),
            category="absent",
        )
    assert not PatternMatch.objects.exists()


def test_a_rule_met_again_raises_nothing_new(alice, child):
    for day in (1, 10, 20, 25):
        episode(child, alice, at(2020, 3, day, 10), returned=at(2020, 3, day, 20))
    count = Referral.objects.count()
    services.evaluate_all()
    services.evaluate_child(child=child)
    assert Referral.objects.count() == count
    assert ChildFlag.objects.filter(child=child).count() == 1
    assert PatternMatch.objects.filter(rule="recidivist").exists()


def test_the_area_configures_its_thresholds(alice, child, area):
    rules = MissingRules.for_area(area)
    rules.cmog_short_count = 2
    rules.save()
    child.home_area = area
    child.save()
    for day in (1, 5):
        episode(child, alice, at(2020, 3, day, 10), returned=at(2020, 3, day, 20))
    assert PatternMatch.objects.filter(rule="three_in_30_days").exists()


def test_the_scan_catches_an_ongoing_episode_passing_72_hours(alice, child):
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=73)
    episode(child, alice, start)
    PatternMatch.objects.all().delete()
    assert services.evaluate_ongoing() == 1
    assert PatternMatch.objects.get().rule == "one_over_72_hours"
