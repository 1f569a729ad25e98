"""manage.py seed_scale: regional-scale synthetic data for the benchmark, at small N."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q

from cse import permissions
from cse.models import (
    Agency,
    CategoryAssessment,
    Child,
    Link,
    Location,
    PersonOfInterest,
    SharingDecision,
    Subject,
    SubjectAccess,
    User,
    Vehicle,
)
from cse.search import build_search_text

N = 200


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_scale", stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module, in a transaction rolled back after its last test
    (each test runs in a savepoint inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed(children=N, batch_size=70)
        transaction.set_rollback(True)


@pytest.fixture
def output(seeded, db):
    return seeded


def test_it_creates_proportional_counts_of_every_kind_of_record(output):
    assert Agency.objects.count() == 50
    assert Child.objects.count() == N
    assert PersonOfInterest.objects.count() == N * 3 // 10
    assert Location.objects.count() == N * 2 // 10
    assert Vehicle.objects.count() == N // 10
    assert Link.objects.count() == pytest.approx(1.5 * N, rel=0.1)
    with_history = (
        Child.objects.filter(category_history__isnull=False).distinct().count()
    )
    assert with_history == pytest.approx(0.4 * N, rel=0.3)
    assert CategoryAssessment.objects.count() > with_history
    shared = (
        Child.objects.filter(access__basis=SubjectAccess.Basis.SHARED)
        .distinct()
        .count()
    )
    assert shared == pytest.approx(0.3 * N, rel=0.3)


def test_every_record_has_exactly_one_owner_access_row_for_its_owner_agency(output):
    subjects = Subject.objects.annotate(
        owner_rows=Count("access", filter=Q(access__basis=SubjectAccess.Basis.OWNER)),
        owner_rows_for_owner=Count(
            "access",
            filter=Q(
                access__basis=SubjectAccess.Basis.OWNER,
                access__agency=F("owner_agency"),
            ),
        ),
    )
    assert subjects.count() == N + N * 6 // 10
    assert not subjects.exclude(owner_rows=1).exists()
    assert not subjects.exclude(owner_rows_for_owner=1).exists()


def test_every_share_has_a_sharing_decision_for_the_same_agency(output):
    shares = SubjectAccess.objects.filter(basis=SubjectAccess.Basis.SHARED)
    assert shares.exists()
    assert not shares.filter(decision__isnull=True).exists()
    assert shares.count() == SharingDecision.objects.count()
    for access in shares.select_related("decision", "subject"):
        assert access.decision.agency_id == access.agency_id
        assert access.decision.subject_id == access.subject_id
        assert access.agency_id != access.subject.owner_agency_id


def test_search_text_is_what_the_services_would_have_written(output):
    for model in (Child, PersonOfInterest, Location, Vehicle):
        for record in model.objects.all():
            assert record.search_text
            assert record.search_text == build_search_text(record), record.pk


def test_links_join_records_their_owning_agency_can_see(output):
    for link in Link.objects.all():
        assert link.from_subject_id != link.to_subject_id
        assert SubjectAccess.objects.filter(
            agency=link.owner_agency, subject=link.from_subject_id
        ).exists()
        assert SubjectAccess.objects.filter(
            agency=link.owner_agency, subject=link.to_subject_id
        ).exists()


def test_the_benchmark_users_see_children_and_are_printed(output):
    for username in ("bench-police", "bench-social"):
        user = User.objects.get(username=username)
        assert permissions.sees_records(user)
        assert permissions.visible_children(user).exists()
        assert username in output


def test_a_second_run_refuses_unless_asked_to_append(output):
    with pytest.raises(CommandError, match="already exists"):
        seed(children=10)
    seed(children=10, append=True)
    assert Child.objects.count() == N + 10
    assert Child.objects.filter(local_reference="SCALE-0000210").exists()
