"""Writes for missing episodes and return-home interviews, the pattern evaluation,
the deadline scan, and the read functions other parts of the product use.

Every write is one transaction that also audits, adds to the child's chronology and
notifies, so no caller can forget to.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from cse import audit, permissions
from cse import services as core
from cse.dates import LONDON
from cse.models import (
    Agency,
    AuditEvent,
    Child,
    ChildFlag,
    Forum,
    LocalArea,
    Referral,
    Role,
    SharingDecision,
    Subject,
    User,
)

from . import permissions as access
from . import rules as pattern_rules
from .models import (
    CMOG_RULES,
    InterviewAlert,
    MissingEpisode,
    MissingRules,
    PatternMatch,
    PatternRule,
    ReturnInterview,
    rhi_due,
)

Action = AuditEvent.Action
REMINDER_HOURS = 24
ALERT_BATCH = 50
# Categories 1-3: a child at known CSE risk recorded as absent is reviewed as missing.
CSE_RISK_CATEGORIES = frozenset({1, 2, 3})
FORUM_OF_RULE = {
    PatternRule.THREE_IN_30_DAYS: Forum.CMOG,
    PatternRule.THREE_IN_12_MONTHS: Forum.CMOG,
    PatternRule.ONE_OVER_72_HOURS: Forum.CMOG,
    PatternRule.MASE_THREE_IN_3_MONTHS: Forum.MASE,
    PatternRule.RECIDIVIST: Forum.MISPER,
}
EPISODE_FIELDS = (
    "category",
    "missing_from",
    "police_reference",
    "reported_at",
    "last_seen_at",
    "returned_at",
    "found_location",
    "found_with",
    "risk_level",
    "safe_and_well_by",
    "safe_and_well_at",
    "notes",
)
INTERVIEW_FIELDS = (
    "offered_at",
    "offered_by",
    "outcome",
    "outcome_reason",
    "completed_at",
    "why_missing",
    "where_went",
    "harm_suffered",
    "push_factors",
    "pull_factors",
    "what_would_help",
)


def local(moment: datetime.datetime) -> str:
    return f"{moment.astimezone(LONDON):%-d %B %Y at %H:%M}"


def area_id_of(child: Child) -> int | None:
    return child.home_area_id or child.owner_agency.local_area_id


# --- episodes ---------------------------------------------------------------------------


@transaction.atomic
def record_episode(
    *, by: User | None, child: Child, fields: dict, agency: Agency | None = None
) -> MissingEpisode:
    """Record a missing or absent episode on a child the user can add to. A return
    time starts the 72-hour clock; the pattern rules are evaluated at once."""
    if by is not None:
        permissions.require(permissions.can_add_to(by, child))
    owner = agency or (by.agency if by else None)
    if owner is None:
        raise ValidationError("Only a member of an agency can record an episode")
    episode = MissingEpisode(child=child, owner_agency=owner, recorded_by=by)
    for name in EPISODE_FIELDS:
        if name in fields:
            setattr(episode, name, fields[name])
    _check_and_save(episode)
    core.add_chronology_entry(
        subject=child,
        occurred_at=episode.started_at,
        kind="missing",
        title=f"{episode.get_category_display()} from "
        f"{episode.get_missing_from_display().lower()}",
        description=_episode_description(episode),
        by=by,
        agency=owner,
        source=episode,
    )
    audit.record(
        by=by,
        action=Action.CREATE,
        obj=episode,
        subject=child,
        summary=f"{episode.category} episode",
    )
    _after_change(by=by, episode=episode, returned_before=None)
    return episode


@transaction.atomic
def update_episode(
    *, by: User | None, episode: MissingEpisode, fields: dict
) -> MissingEpisode:
    """Change an episode (typically: record the return, which starts the clock)."""
    if by is not None:
        permissions.require(permissions.can_add_to(by, episode.child))
    names = [name for name in EPISODE_FIELDS if name in fields]
    before = audit.snapshot(episode, names)
    returned_before = episode.returned_at
    for name in names:
        setattr(episode, name, fields[name])
    changes = audit.diff(before, audit.snapshot(episode, names))
    if not changes:
        return episode
    _check_and_save(episode, update_fields=names)
    audit.record(
        by=by,
        action=Action.CHANGE,
        obj=episode,
        subject=episode.child_id,
        changes=changes,
    )
    if episode.returned_at and returned_before is None:
        core.add_chronology_entry(
            subject=episode.child,
            occurred_at=episode.returned_at,
            kind="missing",
            title=f"Returned from {episode.get_category_display().lower()} episode",
            description=_episode_description(episode),
            by=by,
            agency=episode.owner_agency,
            source=episode,
        )
    _after_change(by=by, episode=episode, returned_before=returned_before)
    return episode


def _check_and_save(
    episode: MissingEpisode, *, update_fields: list[str] | None = None
) -> None:
    """Check and save a new episode, or for a change only `update_fields` and what
    follows from them, so a column the form did not edit keeps what someone else
    saved there meanwhile."""
    errors = {}
    if not episode.reported_at:
        errors["reported_at"] = "Enter when the child was reported"
    now = timezone.now()
    for name in ("reported_at", "last_seen_at", "returned_at", "safe_and_well_at"):
        value = getattr(episode, name)
        if value and value > now + datetime.timedelta(minutes=5):
            errors[name] = "The time must be in the past"
    if (
        episode.last_seen_at
        and episode.reported_at
        and (episode.last_seen_at > episode.reported_at)
    ):
        errors["last_seen_at"] = "Last seen must be before the report was made"
    if errors:
        raise ValidationError(errors)
    episode.started_at = episode.last_seen_at or episode.reported_at
    if episode.returned_at and episode.returned_at < episode.started_at:
        raise ValidationError(
            {"returned_at": "The return must be after the child was last seen"}
        )
    if episode.police_reference and (
        MissingEpisode.objects.filter(police_reference=episode.police_reference)
        .exclude(pk=episode.pk)
        .exists()
    ):
        raise ValidationError(
            {
                "police_reference": "An episode with this police reference is already recorded"
            }
        )
    episode.review_as_missing = (
        episode.category == MissingEpisode.Category.ABSENT
        and episode.child.current_category in CSE_RISK_CATEGORIES
    )
    episode.full_clean(exclude=["child", "owner_agency", "recorded_by", "started_at"])
    if update_fields is None:
        episode.save()
    else:
        episode.save(update_fields=[*update_fields, "started_at", "review_as_missing"])


def _episode_description(episode: MissingEpisode) -> str:
    lines = []
    if episode.police_reference:
        lines.append(f"Police reference {episode.police_reference}.")
    if episode.risk_level:
        lines.append(f"Police risk level: {episode.get_risk_level_display().lower()}.")
    if episode.review_as_missing:
        lines.append(
            "Recorded as absent, but the child is at known CSE risk: to be reviewed "
            "as missing."
        )
    return " ".join(lines)


def _after_change(*, by: User | None, episode: MissingEpisode, returned_before) -> None:
    if episode.review_as_missing:
        _notify_review_as_missing(episode)
    if episode.returned_at is not None:
        _open_interview(by=by, episode=episode)
    evaluate_child(child=episode.child)


def _notify_review_as_missing(episode: MissingEpisode) -> None:
    """The coordinators of the episode's agency, those who may see the child (an
    imported episode belongs to the police, who may not hold the child's record)."""
    coordinators = User.objects.filter(
        agency=episode.owner_agency,
        is_active=True,
        role_assignments__role=Role.CSE_COORDINATOR,
    )
    core.notify(
        users=[
            user for user in coordinators if permissions.can_see(user, episode.child)
        ],
        message=(
            f"An absence of record {episode.child.reference}, a child at known CSE risk, "
            "needs review as a missing episode."
        ),
        url=reverse("missing:episode_detail", args=[episode.pk]),
    )


def _open_interview(*, by: User | None, episode: MissingEpisode) -> ReturnInterview:
    """Each episode that ends has a return-home interview due 72 hours after the
    return; a corrected return time moves the deadline."""
    due = rhi_due(episode.returned_at)
    interview = ReturnInterview.objects.filter(episode=episode).first()
    if interview is not None:
        if interview.due_at != due:
            interview.due_at = due
            interview.save(update_fields=["due_at"])
        return interview
    child = episode.child
    worker = child.lead_professional or child.allocated_social_worker
    if (
        worker is None
        and by is not None
        and episode.owner_agency_id == child.owner_agency_id
    ):
        worker = by
    agency_id = (
        worker.agency_id if worker and worker.agency_id else child.owner_agency_id
    )
    rules = MissingRules.for_area(area_id_of(child))
    interview = ReturnInterview.objects.create(
        episode=episode,
        child=child,
        due_at=due,
        responsible_worker=worker,
        agency_id=agency_id,
        offered_by=rules.rhi_provider,
    )
    core.add_chronology_entry(
        subject=child,
        occurred_at=episode.returned_at,
        kind="missing",
        title=f"Return-home interview due by {local(due)}",
        by=by,
        agency=episode.owner_agency,
        source=interview,
    )
    audit.record(
        by=by,
        action=Action.CREATE,
        obj=interview,
        subject=child,
        summary="return-home interview opened",
    )
    return interview


# --- interviews ---------------------------------------------------------------------------


@transaction.atomic
def record_interview(
    *, by: User, interview: ReturnInterview, fields: dict
) -> ReturnInterview:
    """Record the offer, the answer and the content of a return-home interview."""
    permissions.require(permissions.can_add_to(by, interview.child))
    names = [name for name in INTERVIEW_FIELDS if name in fields]
    before = audit.snapshot(interview, names)
    completed_before = interview.completed_at
    for name in names:
        setattr(interview, name, fields[name])
    errors = {}
    Outcome = ReturnInterview.Outcome
    if interview.outcome in {Outcome.DECLINED, Outcome.NOT_POSSIBLE}:
        if not interview.outcome_reason.strip():
            errors["outcome_reason"] = (
                "Enter why the child declined"
                if interview.outcome == Outcome.DECLINED
                else "Enter why the interview was not possible"
            )
        if interview.completed_at:
            errors["completed_at"] = (
                "An interview that was declined or not possible cannot be completed"
            )
    if interview.completed_at:
        if interview.outcome != Outcome.ACCEPTED:
            errors["outcome"] = "Select accepted for an interview that took place"
        if interview.completed_at < interview.episode.returned_at:
            errors["completed_at"] = "The interview must be after the return"
        if interview.completed_at > timezone.now() + datetime.timedelta(minutes=5):
            errors["completed_at"] = "The time must be in the past"
    if interview.outcome != Outcome.PENDING and not (
        interview.offered_at and interview.offered_by.strip()
    ):
        if not interview.offered_at:
            errors["offered_at"] = "Enter when the interview was offered"
        if not interview.offered_by.strip():
            errors["offered_by"] = "Enter who offered the interview"
    if errors:
        raise ValidationError(errors)
    changes = audit.diff(before, audit.snapshot(interview, names))
    if not changes:
        return interview
    interview.updated_at = timezone.now()
    interview.save(update_fields=[*names, "updated_at"])
    audit.record(
        by=by,
        action=Action.CHANGE,
        obj=interview,
        subject=interview.child_id,
        changes={
            k: v
            for k, v in changes.items()
            if k in ("outcome", "completed_at", "offered_at", "offered_by")
        },
        summary="return-home interview recorded",
    )
    if interview.completed_at and completed_before is None:
        in_time = interview.completed_at <= interview.due_at
        core.add_chronology_entry(
            subject=interview.child,
            occurred_at=interview.completed_at,
            kind="missing",
            title="Return-home interview completed"
            + (" within 72 hours" if in_time else " after the 72-hour deadline"),
            description=interview.why_missing,
            by=by,
            source=interview,
        )
    elif "outcome" in changes and interview.outcome in {
        Outcome.DECLINED,
        Outcome.NOT_POSSIBLE,
    }:
        core.add_chronology_entry(
            subject=interview.child,
            occurred_at=timezone.now(),
            kind="missing",
            title=f"Return-home interview {interview.get_outcome_display().lower()}",
            description=interview.outcome_reason,
            by=by,
            source=interview,
        )
    return interview


def police_agencies(area_id: int | None) -> QuerySet[Agency]:
    return Agency.objects.filter(
        kind=Agency.Kind.POLICE, is_active=True, local_area_id=area_id
    )


@transaction.atomic
def share_interview(
    *,
    by: User,
    interview: ReturnInterview,
    agency: Agency,
    purpose: str,
    consent: str,
    consent_reason: str = "",
) -> SharingDecision:
    """Share the interview (and so the child's record) with police intelligence, as a
    recorded sharing decision on the child."""
    if agency.kind != Agency.Kind.POLICE:
        raise ValidationError({"agency": "Select a police agency"})
    decision = core.record_sharing_decision(
        by=by,
        subject=interview.child,
        agency=agency,
        decision=SharingDecision.Decision.SHARE,
        purpose=f"Return-home interview of {interview.due_at:%d/%m/%Y}: {purpose}",
        consent=consent,
        consent_reason=consent_reason,
    )
    audit.record(
        by=by,
        action=Action.SHARE,
        obj=interview,
        subject=interview.child_id,
        detail={"agency": agency.pk, "decision": decision.pk},
        summary="return-home interview shared with police",
    )
    return decision


# --- pattern rules ------------------------------------------------------------------------


def _spans(queryset: QuerySet[MissingEpisode]) -> list[pattern_rules.Span]:
    return [
        pattern_rules.Span(started, returned)
        for started, returned in queryset.values_list("started_at", "returned_at")
    ]


def evaluate_child(
    *, child: Child, now: datetime.datetime | None = None
) -> list[PatternMatch]:
    """Check the child's missing episodes against the area's rules and act on every
    rule met for the first time: a dated flag naming the rule (one per child) and a
    referral to the forum's pre-meeting queue. All the child's history counts here
    (a rule first met years ago was still first met then); the 12-month window is
    for listings as at a date."""
    now = now or timezone.now()
    rules = MissingRules.for_area(area_id_of(child))
    with transaction.atomic():
        _hold_rules_of(child)
        episodes = MissingEpisode.objects.filter(
            child=child,
            category=MissingEpisode.Category.MISSING,
            started_at__lte=now,
        ).order_by("started_at")
        met = pattern_rules.rules_met(_spans(episodes), rules, now)
        return _apply(child=child, met=met)


def _hold_rules_of(child: Child) -> None:
    """Evaluate one child's rules at a time. Two people recording episodes for the
    same child at once would otherwise each see the rule newly met (neither sees
    the other's uncommitted episode) and both act on it: the second now waits here
    until the first commits, then counts both episodes and finds the first's
    matches and flag. FOR NO KEY UPDATE, because both already hold the key-share
    lock their episodes' foreign keys took, which FOR UPDATE would wait for."""
    Subject.objects.select_for_update(no_key=True).filter(pk=child.pk).values_list(
        "pk", flat=True
    ).first()


@transaction.atomic
def _apply(*, child: Child, met: dict[str, datetime.datetime]) -> list[PatternMatch]:
    if not met:
        return []
    known = set(PatternMatch.objects.filter(child=child).values_list("rule", flat=True))
    created = []
    for rule, first_met_at in sorted(met.items(), key=lambda item: item[1]):
        if rule in known:
            continue
        # In a savepoint: a writer that did not hold the child's rules finds the
        # row another transaction wrote instead of failing the whole recording.
        match, made = PatternMatch.objects.get_or_create(
            child=child, rule=rule, defaults={"first_met_at": first_met_at}
        )
        if not made:
            continue
        created.append(match)
        label = PatternRule(rule).label
        if not child.flags.filter(
            kind=ChildFlag.Kind.MISSING_PATTERN, removed_at__isnull=True
        ).exists():
            core.set_flag(
                by=None,
                child=child,
                kind=ChildFlag.Kind.MISSING_PATTERN,
                reason=f"Meets the rule “{label}” (first met {local(first_met_at)}).",
                set_on=first_met_at.astimezone(LONDON).date(),
            )
        core.create_referral(
            by=None,
            subject=child,
            forum=FORUM_OF_RULE[PatternRule(rule)],
            source=Referral.Source.MISSING_PATTERN,
            source_obj=match,
            synopsis=f"Record {child.reference} meets the missing rule “{label}”, "
            f"first met {local(first_met_at)}.",
        )
    return created


@dataclass(frozen=True)
class Met:
    child_id: int
    rule: str
    first_met_at: datetime.datetime


def _area_filter(area: LocalArea | None) -> Q:
    if area is None:
        return Q()
    return Q(child__home_area=area) | Q(
        child__home_area__isnull=True, child__owner_agency__local_area=area
    )


def rules_met_for_all(
    *,
    as_of: datetime.datetime,
    area: LocalArea | None = None,
    children: QuerySet[Child] | None = None,
    window: bool = True,
) -> Iterator[Met]:
    """Every (child, rule) met by `as_of`, in one streamed query: the episodes that
    started in the 12 months before (or ever, without `window`), grouped by child."""
    episodes = MissingEpisode.objects.filter(
        _area_filter(area),
        category=MissingEpisode.Category.MISSING,
        started_at__lte=as_of,
    )
    if window:
        episodes = episodes.filter(started_at__gt=pattern_rules.window_start(as_of))
    if children is not None:
        episodes = episodes.filter(child__in=children.values("pk"))
    rows = episodes.order_by("child_id", "started_at").values_list(
        "child_id",
        "child__home_area_id",
        "child__owner_agency__local_area_id",
        "started_at",
        "returned_at",
    )
    rules_by_area: dict[int | None, MissingRules] = {}
    for child_id, group in groupby(rows.iterator(chunk_size=5000), key=lambda r: r[0]):
        group = list(group)
        area_id = group[0][1] or group[0][2]
        if area_id not in rules_by_area:
            rules_by_area[area_id] = MissingRules.for_area(area_id)
        spans = [pattern_rules.Span(r[3], r[4]) for r in group]
        for rule, first in pattern_rules.rules_met(
            spans, rules_by_area[area_id], as_of
        ).items():
            yield Met(child_id, rule, first)


def evaluate_all(
    *, now: datetime.datetime | None = None, area: LocalArea | None = None
) -> int:
    """Evaluate every child with missing episodes; act on first-time matches only.
    Returns how many new matches were recorded."""
    now = now or timezone.now()
    known = set(PatternMatch.objects.values_list("child_id", "rule"))
    fresh: dict[int, dict[str, datetime.datetime]] = {}
    for met in rules_met_for_all(as_of=now, area=area, window=False):
        if (met.child_id, met.rule) not in known:
            fresh.setdefault(met.child_id, {})[met.rule] = met.first_met_at
    created = 0
    for child in Child.objects.filter(pk__in=fresh).select_related("owner_agency"):
        with transaction.atomic():
            _hold_rules_of(child)
            created += len(_apply(child=child, met=fresh[child.pk]))
    return created


def evaluate_ongoing(*, now: datetime.datetime | None = None) -> int:
    """Ongoing missing episodes that have just passed the duration threshold meet the
    72-hour rule without anyone saving anything: the periodic scan checks them."""
    now = now or timezone.now()
    threshold = now - datetime.timedelta(hours=72)
    child_ids = (
        MissingEpisode.objects.filter(
            category=MissingEpisode.Category.MISSING,
            returned_at__isnull=True,
            started_at__lte=threshold,
        )
        .exclude(child__missing_pattern_matches__rule=PatternRule.ONE_OVER_72_HOURS)
        .values_list("child_id", flat=True)
        .distinct()
    )
    created = 0
    for child in Child.objects.filter(pk__in=list(child_ids)).select_related(
        "owner_agency"
    ):
        created += len(evaluate_child(child=child, now=now))
    return created


@dataclass(frozen=True)
class CmogRow:
    child: Child
    rule: str
    first_met_at: datetime.datetime


def cmog_list(
    *, viewer: User, as_of_day: datetime.date, area: LocalArea | None = None
) -> list[CmogRow]:
    """Children meeting the CMOG missing criteria as at the end of `as_of_day`
    (Europe/London), one row per child and rule, by name: only children `viewer`
    may see, and only for a report administrator."""
    permissions.require(access.may_administer_reports(viewer))
    as_of = pattern_rules.as_of_moment(as_of_day)
    children = permissions.visible_children(viewer)
    met = [
        m
        for m in rules_met_for_all(as_of=as_of, area=area, children=children)
        if m.rule in CMOG_RULES
    ]
    found = Child.objects.in_bulk({m.child_id for m in met})
    rows = [CmogRow(found[m.child_id], m.rule, m.first_met_at) for m in met]
    order = {rule: i for i, rule in enumerate(CMOG_RULES)}
    rows.sort(
        key=lambda r: (r.child.surname, r.child.forename, r.child.pk, order[r.rule])
    )
    return rows


# --- deadlines -------------------------------------------------------------------------------


def send_due_alerts(
    *, now: datetime.datetime | None = None, batch_size: int = ALERT_BATCH
) -> int:
    """Send each due reminder (24 hours left) and overdue alert exactly once.

    Rows are claimed with `select_for_update(skip_locked=True)`, so a second scan
    running at once takes other rows; the unique (interview, kind) alert row is
    written in the same transaction as the notifications (whose e-mails go after
    commit), so a scan that dies mid-batch leaves neither, and the next scan sends it.
    """
    now = now or timezone.now()
    sent = 0
    for kind in (InterviewAlert.Kind.OVERDUE, InterviewAlert.Kind.REMINDER):
        while True:
            claimed, done = _send_batch(kind=kind, now=now, batch_size=batch_size)
            sent += done
            if claimed < batch_size:
                break
    return sent


@transaction.atomic
def _send_batch(
    *, kind: str, now: datetime.datetime, batch_size: int
) -> tuple[int, int]:
    due = ReturnInterview.objects.open().exclude(alerts__kind=kind)
    if kind == InterviewAlert.Kind.OVERDUE:
        due = due.filter(due_at__lte=now)
    else:
        due = due.filter(
            due_at__gt=now, due_at__lte=now + datetime.timedelta(hours=REMINDER_HOURS)
        )
    ids = list(
        due.select_for_update(skip_locked=True)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:batch_size]
    )
    done = 0
    for interview in ReturnInterview.objects.filter(pk__in=ids).select_related(
        "child", "responsible_worker"
    ):
        try:
            with transaction.atomic():
                alert = InterviewAlert.objects.create(
                    interview=interview, kind=kind, sent_at=now
                )
        except IntegrityError:
            continue  # another scan sent it between our query and our insert
        recipients = alert_recipients(interview)
        core.notify(
            users=recipients,
            message=_alert_message(interview, kind),
            url=reverse("missing:episode_detail", args=[interview.episode_id]),
        )
        alert.recipients = len(recipients)
        alert.save(update_fields=["recipients"])
        done += 1
    return len(ids), done


def alert_recipients(interview: ReturnInterview) -> list[User]:
    """The responsible worker and the CSE coordinators of the interview's agency,
    those of them who may see the child (the alert names the record)."""
    users = {
        user.pk: user
        for user in User.objects.filter(
            agency_id=interview.agency_id,
            is_active=True,
            role_assignments__role=Role.CSE_COORDINATOR,
        )
    }
    worker = interview.responsible_worker
    if worker is not None and worker.is_active:
        users[worker.pk] = worker
    return [
        user for user in users.values() if access.may_receive_alert(user, interview)
    ]


def _alert_message(interview: ReturnInterview, kind: str) -> str:
    ref = interview.child.reference
    if kind == InterviewAlert.Kind.OVERDUE:
        return (
            f"Overdue: the return-home interview for record {ref} was due by "
            f"{local(interview.due_at)}."
        )
    return (
        f"Reminder: the return-home interview for record {ref} is due by "
        f"{local(interview.due_at)}."
    )


@dataclass(frozen=True)
class RhiRow:
    police_reference: str
    child_id: int
    returned_at: datetime.datetime
    due_at: datetime.datetime
    status: str


def rhi_rows(
    *,
    viewer: User,
    area: LocalArea | None = None,
    now: datetime.datetime | None = None,
) -> Iterator[RhiRow]:
    """Every interview on a child `viewer` may see, with its status, streamed, for
    `manage.py rhi_due`."""
    now = now or timezone.now()
    rows = (
        permissions.scope_by_subject(
            viewer, ReturnInterview.objects.filter(_area_filter(area)), "child"
        )
        .order_by("due_at", "pk")
        .values_list(
            "episode__police_reference",
            "child_id",
            "episode__returned_at",
            "due_at",
            "completed_at",
            "outcome",
        )
    )
    for ref, child_id, returned, due, completed, outcome in rows.iterator(
        chunk_size=5000
    ):
        probe = ReturnInterview(due_at=due, completed_at=completed, outcome=outcome)
        yield RhiRow(ref, child_id, returned, due, probe.status_at(now))


@dataclass(frozen=True)
class ComplianceRow:
    name: str
    total: int
    in_time: int

    @property
    def percent(self) -> str:
        return f"{100 * self.in_time / self.total:.0f}%" if self.total else "–"


def compliance(
    *, since: datetime.datetime, until: datetime.datetime
) -> tuple[list[ComplianceRow], list[ComplianceRow]]:
    """Share of interviews due in the period that were completed within 72 hours, per
    agency and per local area. Aggregates only: no child is named."""
    from django.db.models import Count, F

    due = ReturnInterview.objects.filter(due_at__gte=since, due_at__lt=until)
    in_time = Count("pk", filter=Q(completed_at__lte=F("due_at")))

    def rows(key: str) -> list[ComplianceRow]:
        return [
            ComplianceRow(name or "Not known", total, ok)
            for name, total, ok in due.values_list(key)
            .annotate(total=Count("pk"), ok=in_time)
            .values_list(key, "total", "ok")
            .order_by(key)
        ]

    return rows("agency__name"), rows("agency__local_area__name")


# --- summaries for other parts of the product ---------------------------------------------


def summary_lines(
    child_id: int, since: datetime.date | None, until: datetime.date | None
) -> list[str]:
    """Episodes and interviews of a child in a period, for meeting agendas."""
    episodes = MissingEpisode.objects.filter(child_id=child_id)
    if since:
        episodes = episodes.filter(
            started_at__gte=datetime.datetime.combine(
                since, datetime.time.min, tzinfo=LONDON
            )
        )
    if until:
        episodes = episodes.filter(started_at__lt=pattern_rules.as_of_moment(until))
    rows = list(episodes.select_related("interview").order_by("started_at"))
    if not rows:
        return []
    missing = sum(e.category == MissingEpisode.Category.MISSING for e in rows)
    lines = [
        f"{missing} missing and {len(rows) - missing} absent episodes in the period"
    ]
    now = timezone.now()
    for episode in rows:
        text = (
            f"{episode.get_category_display()} from {episode.get_missing_from_display().lower()}, "
            f"{episode.started_at.astimezone(LONDON):%d/%m/%Y %H:%M}"
        )
        if episode.returned_at:
            hours = episode.duration_at(now).total_seconds() / 3600
            text += f", {hours:.0f} hours"
        else:
            text += ", ongoing"
        interview = getattr(episode, "interview", None)
        if interview is not None:
            text += f"; interview {interview.Status(interview.status_at(now)).label.lower()}"
        lines.append(text)
    return lines


@transaction.atomic
def resolve_queue_item(*, by: User, item, child: Child | None) -> MissingEpisode:
    """Attach a held police report to a child the administrator chose (or to a new
    child record they decided to create), recording the episode."""
    from .importing import episode_fields, import_agency, parse
    from .models import MatchingQueueItem

    if item.state != MatchingQueueItem.State.PENDING:
        raise ValidationError("This report has already been dealt with")
    permissions.require(access.queue_items(by).filter(pk=item.pk).exists())
    row = parse(_row_as_csv(item.row))[0]
    state = MatchingQueueItem.State.MATCHED
    if child is None:
        child = core.create_subject(
            by=by,
            subject=Child(
                forename=row["forename"],
                surname=row["surname"],
                date_of_birth=row["date_of_birth"],
                home_area=item.local_area,
            ),
            context="created from a police missing report",
        )
        state = MatchingQueueItem.State.CREATED
    permissions.require(permissions.can_see(by, child))
    episode = record_episode(
        by=None,
        child=child,
        fields=episode_fields(row),
        agency=import_agency(child, item.local_area),
    )
    item.state = state
    item.resolved_at = timezone.now()
    item.resolved_by = by
    item.episode = episode
    item.save(update_fields=["state", "resolved_at", "resolved_by", "episode"])
    audit.record(
        by=by,
        action=Action.CHANGE,
        obj=item,
        subject=child,
        summary=f"police report matched: {item.get_state_display().lower()}",
    )
    return episode


def _row_as_csv(raw: dict) -> str:
    import csv
    import io

    from .importing import COLUMNS

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow([raw.get(name, "") for name in COLUMNS])
    return out.getvalue()
