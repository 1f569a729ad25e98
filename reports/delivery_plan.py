"""The CSE delivery plan (seed 002): every write, and the plan as tables.

Who may do what (the rules are functions of `reports.permissions`; stated again, and
tested, in tests/reports/test_permission_matrix.py):
  * read: staff with a case-working role or the partnership-manager role, for their own
    area's plans and the regional plans; a plan of another area is not found (404).
    System administrators configure the system; they neither read nor change plans.
  * manage (create a plan, its objectives, sub-objectives and actions, and change an
    action's details): partnership managers of the plan's area; for a regional plan,
    any partnership manager (the regional group is made of the areas' managers).
  * update progress (evidence entries and RAG ratings): the plan's managers, the CSE
    coordinators of the plan's area (they run the CSE response the plan describes),
    and the users named as accountable or responsible for the action.

The plan holds no child's identity: it is the partnership's strategic document.
Ratings change only through `change_rag`, which writes an append-only `RagChange`
with the reason; evidence entries are append-only too; every write is audited.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cse import audit
from cse.models import Agency, AuditEvent, LocalArea, User

from . import permissions as rules
from .models import (
    DeliveryAction,
    DeliveryEvidence,
    DeliveryObjective,
    DeliveryPlan,
    DeliverySubObjective,
    Rag,
    RagChange,
)

Action = AuditEvent.Action


# --- writes --------------------------------------------------------------------------

PLAN_FIELDS = ("local_area", "title", "period_start", "period_end")
OBJECTIVE_FIELDS = ("number", "title", "description")
ACTION_FIELDS = (
    "objective",
    "sub_objective",
    "description",
    "evidence",
    "outcomes",
    "accountable_user",
    "accountable_name",
    "responsible_user",
    "responsible_name",
    "target_date",
    "timescale",
)


def _check_period(start: datetime.date, end: datetime.date) -> None:
    if end <= start:
        raise ValidationError(
            {"period_end": "The end of the period must be after its start"}
        )


@transaction.atomic
def create_plan(
    *,
    by: User,
    local_area: LocalArea | None,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
) -> DeliveryPlan:
    """A new, empty plan for the manager's area or the region."""
    if local_area not in rules.areas_user_may_plan_for(by):
        raise PermissionDenied
    _check_period(period_start, period_end)
    if DeliveryPlan.objects.filter(local_area=local_area, title=title).exists():
        raise ValidationError({"title": "A plan with this title already exists"})
    plan = DeliveryPlan.objects.create(
        local_area=local_area,
        title=title,
        period_start=period_start,
        period_end=period_end,
        created_by=by,
    )
    audit.record(
        by=by,
        action=Action.CREATE,
        obj=plan,
        summary=f"Created the delivery plan {plan.title}",
    )
    return plan


@transaction.atomic
def update_plan(
    *,
    by: User,
    plan: DeliveryPlan,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
) -> DeliveryPlan:
    rules.require_manage_plan(by, plan)
    _check_period(period_start, period_end)
    if (
        DeliveryPlan.objects.filter(local_area=plan.local_area_id, title=title)
        .exclude(pk=plan.pk)
        .exists()
    ):
        raise ValidationError({"title": "A plan with this title already exists"})
    before = audit.snapshot(plan, PLAN_FIELDS)
    plan.title, plan.period_start, plan.period_end = title, period_start, period_end
    plan.save(update_fields=["title", "period_start", "period_end"])
    audit.record(
        by=by,
        action=Action.CHANGE,
        obj=plan,
        summary=f"Changed the delivery plan {plan.title}",
        changes=audit.diff(before, audit.snapshot(plan, PLAN_FIELDS)),
    )
    return plan


@transaction.atomic
def save_objective(
    *,
    by: User,
    plan: DeliveryPlan,
    objective: DeliveryObjective | None = None,
    number: int,
    title: str,
    description: str = "",
) -> DeliveryObjective:
    """Add an objective to the plan, or change one."""
    rules.require_manage_plan(by, plan)
    taken = DeliveryObjective.objects.filter(plan=plan, number=number)
    if objective is not None:
        taken = taken.exclude(pk=objective.pk)
    if taken.exists():
        raise ValidationError({"number": f"Objective {number} already exists"})
    if objective is None:
        objective = DeliveryObjective(plan=plan)
        before, verb = {}, Action.CREATE
    else:
        before, verb = audit.snapshot(objective, OBJECTIVE_FIELDS), Action.CHANGE
    objective.number, objective.title, objective.description = (
        number,
        title,
        description,
    )
    objective.save(update_fields=None if verb == Action.CREATE else OBJECTIVE_FIELDS)
    audit.record(
        by=by,
        action=verb,
        obj=objective,
        summary=f"Saved objective {number} of the delivery plan {plan.title}",
        changes=audit.diff(before, audit.snapshot(objective, OBJECTIVE_FIELDS)),
    )
    return objective


@transaction.atomic
def save_sub_objective(
    *,
    by: User,
    objective: DeliveryObjective,
    sub_objective: DeliverySubObjective | None = None,
    number: int,
    text: str,
) -> DeliverySubObjective:
    rules.require_manage_plan(by, objective.plan)
    taken = DeliverySubObjective.objects.filter(objective=objective, number=number)
    if sub_objective is not None:
        taken = taken.exclude(pk=sub_objective.pk)
    if taken.exists():
        raise ValidationError(
            {"number": f"Sub-objective {objective.number}.{number} already exists"}
        )
    verb = Action.CHANGE if sub_objective else Action.CREATE
    if sub_objective is None:
        sub_objective = DeliverySubObjective(objective=objective)
    sub_objective.number, sub_objective.text = number, text
    sub_objective.save(
        update_fields=None if verb == Action.CREATE else ["number", "text"]
    )
    audit.record(
        by=by,
        action=verb,
        obj=sub_objective,
        summary=f"Saved sub-objective {objective.number}.{number}",
    )
    return sub_objective


def _check_action(plan: DeliveryPlan, values: dict) -> None:
    objective = values["objective"]
    sub = values.get("sub_objective")
    errors = {}
    if objective.plan_id != plan.pk:
        errors["objective"] = "Choose an objective of this plan"
    if sub is not None and sub.objective_id != objective.pk:
        errors["sub_objective"] = "Choose a sub-objective of the chosen objective"
    allowed = rules.nameable_users(plan.local_area)
    for role in ("accountable", "responsible"):
        user = values.get(f"{role}_user")
        if user is not None and not allowed.filter(pk=user.pk).exists():
            errors[f"{role}_user"] = "Choose a member of staff who can read the plan"
        if user is None and not values.get(f"{role}_name", "").strip():
            errors[f"{role}_name"] = f"Enter who is {role}, or choose a member of staff"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_action(
    *,
    by: User,
    plan: DeliveryPlan,
    action: DeliveryAction | None = None,
    partners: Iterable[Agency] = (),
    **values,
) -> DeliveryAction:
    """Add an action (at the end of its sub-objective) or change its details. Ratings
    are not changed here: they change through `change_rag`, with a reason."""
    rules.require_manage_plan(by, plan)
    unknown = set(values) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown action fields: {sorted(unknown)}")
    values.setdefault("sub_objective", None)
    _check_action(plan, values)
    partners = list(partners)
    allowed = set(rules.partner_agencies(plan.local_area).values_list("pk", flat=True))
    if any(agency.pk not in allowed for agency in partners):
        raise ValidationError(
            {"partners": "Choose partner agencies of the plan's area"}
        )
    if action is None:
        action = DeliveryAction()
        before, verb = {}, Action.CREATE
    else:
        before = audit.snapshot(action, ACTION_FIELDS)
        before["partners"] = sorted(action.partners.values_list("pk", flat=True))
        verb = Action.CHANGE
    moved = action.pk is None or (
        action.objective_id != values["objective"].pk
        or action.sub_objective_id
        != (values["sub_objective"].pk if values["sub_objective"] else None)
    )
    for name, value in values.items():
        setattr(action, name, value)
    if moved:
        last = DeliveryAction.objects.filter(
            objective=action.objective, sub_objective=action.sub_objective
        ).aggregate(last=Max("position"))["last"]
        action.position = (last or 0) + 1
    # A change writes only the action's details: its ratings change elsewhere.
    action.save(update_fields=None if verb == Action.CREATE else [*values, "position"])
    action.partners.set(partners)
    after = audit.snapshot(action, ACTION_FIELDS)
    after["partners"] = sorted(agency.pk for agency in partners)
    audit.record(
        by=by,
        action=verb,
        obj=action,
        summary=f"Saved action {action.reference} of the delivery plan {plan.title}",
        changes=audit.diff(before, after),
    )
    return action


@transaction.atomic
def add_evidence(*, by: User, action: DeliveryAction, text: str) -> DeliveryEvidence:
    """A dated, append-only note of progress or evidence."""
    if not rules.may_update_action(by, action):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": "Enter the evidence or progress"})
    entry = DeliveryEvidence.objects.create(action=action, text=text, entered_by=by)
    audit.record(
        by=by,
        action=Action.CREATE,
        obj=entry,
        summary=f"Added evidence to delivery plan action {action.reference}",
    )
    return entry


@transaction.atomic
def change_rag(
    *,
    by: User,
    action: DeliveryAction,
    action_rag: str,
    outcome_rag: str,
    comment: str,
) -> list[RagChange]:
    """Change an action's and/or its outcome's rating. Every change needs a reason and
    leaves a `RagChange` row (who, when, from, to, why); setting the same ratings
    again changes nothing. The row is locked so two people rating at once are
    recorded one after the other, each from the rating the other left."""
    if not rules.may_update_action(by, action):
        raise PermissionDenied
    for name, value in (("action_rag", action_rag), ("outcome_rag", outcome_rag)):
        if value not in Rag.values:
            raise ValidationError({name: "Choose a rating"})
    current = DeliveryAction.objects.select_for_update().get(pk=action.pk)
    wanted = {
        RagChange.Which.ACTION: ("action_rag", action_rag),
        RagChange.Which.OUTCOME: ("outcome_rag", outcome_rag),
    }
    changed = [
        (which, name, getattr(current, name), value)
        for which, (name, value) in wanted.items()
        if getattr(current, name) != value
    ]
    if not changed:
        return []
    if not comment.strip():
        raise ValidationError({"comment": "Enter why the rating has changed"})
    now = timezone.now()
    rows = []
    for which, name, old, new in changed:
        rows.append(
            RagChange.objects.create(
                action=current,
                which=which,
                from_rag=old,
                to_rag=new,
                comment=comment.strip(),
                changed_by=by,
                changed_at=now,
            )
        )
        setattr(current, name, new)
        setattr(action, name, new)
    current.save(update_fields=[name for _, name, _, _ in changed])
    audit.record(
        by=by,
        action=Action.CHANGE,
        obj=current,
        summary=f"Changed the rating of delivery plan action {action.reference}",
        changes={name: [old, new] for _, name, old, new in changed},
        detail={"comment": comment.strip()[:500]},
    )
    return rows


# --- reading the plan ---------------------------------------------------------------


def plan_actions(
    plan: DeliveryPlan, *, with_evidence: bool = False
) -> list[DeliveryAction]:
    """Every action of the plan, in plan order, with what the pages and exports show:
    a fixed number of queries however many actions there are."""
    actions = (
        DeliveryAction.objects.filter(objective__plan=plan)
        .select_related(
            "objective",
            "sub_objective__objective",
            "accountable_user",
            "responsible_user",
        )
        .prefetch_related("partners")
    )
    if with_evidence:
        actions = actions.prefetch_related("evidence_entries")
    return list(actions)


@dataclass
class Counts:
    total: int = 0
    by_rag: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Rag.values, 0))
    overdue: int = 0

    def add(self, action: DeliveryAction, today: datetime.date) -> None:
        self.total += 1
        self.by_rag[action.action_rag] += 1
        self.overdue += action.is_overdue_on(today)

    @property
    def cells(self) -> list[int]:
        return [self.by_rag[value] for value in Rag.values]


def summary(
    objectives: Iterable[DeliveryObjective],
    actions: Iterable[DeliveryAction],
    today: datetime.date,
) -> tuple[list[tuple[DeliveryObjective, Counts]], Counts]:
    """Per objective (and for the plan): actions by action RAG, and overdue."""
    per = {objective.pk: Counts() for objective in objectives}
    total = Counts()
    for action in actions:
        per.setdefault(action.objective_id, Counts()).add(action, today)
        total.add(action, today)
    return [(objective, per[objective.pk]) for objective in objectives], total


def filtered(
    actions: Iterable[DeliveryAction],
    *,
    today: datetime.date,
    rag: str = "",
    objective: int | None = None,
    overdue: bool = False,
    partner: int | None = None,
    order: str = "plan",
) -> list[DeliveryAction]:
    """The actions matching the filters. `order="due"` puts overdue actions first,
    then by target date (undated last)."""
    out = [
        action
        for action in actions
        if (not rag or action.action_rag == rag)
        and (objective is None or action.objective_id == objective)
        and (not overdue or action.is_overdue_on(today))
        and (
            partner is None
            or any(agency.pk == partner for agency in action.partners.all())
        )
    ]
    if order == "due":
        out.sort(
            key=lambda a: (
                not a.is_overdue_on(today),
                a.target_date is None,
                a.target_date or datetime.date.max,
            )
        )
    return out


# --- the board's CSV, and importing a plan from one ---------------------------------

CSV_COLUMNS = [
    "objective",
    "objective title",
    "sub-objective",
    "sub-objective text",
    "action",
    "description",
    "action RAG",
    "overdue",
    "evidence",
    "outcomes",
    "accountable",
    "responsible",
    "timescale",
    "target date",
    "partners",
    "outcome RAG",
    "latest evidence",
    "latest evidence date",
]


def csv_rows(
    actions: Iterable[DeliveryAction], today: datetime.date
) -> Iterable[list[str]]:
    for a in actions:
        sub = a.sub_objective
        latest = next(iter(a.evidence_entries.all()), None)
        yield [
            str(a.objective.number),
            a.objective.title,
            sub.reference if sub else "",
            sub.text if sub else "",
            a.reference,
            a.description,
            a.get_action_rag_display(),
            "Overdue" if a.is_overdue_on(today) else "",
            a.evidence,
            a.outcomes,
            a.accountable,
            a.responsible,
            a.timescale,
            a.target_date.isoformat() if a.target_date else "",
            "; ".join(agency.name for agency in a.partners.all()),
            a.get_outcome_rag_display(),
            latest.text if latest else "",
            timezone.localtime(latest.entered_at).date().isoformat() if latest else "",
        ]


IMPORT_COLUMNS = [
    "objective",
    "objective title",
    "sub-objective",
    "sub-objective text",
    "description",
    "evidence",
    "outcomes",
    "accountable",
    "responsible",
    "timescale",
    "target date",
    "partners",
]


@dataclass
class ImportResult:
    objectives: int = 0
    sub_objectives: int = 0
    actions: int = 0


def _parse_import(plan: DeliveryPlan, text: str) -> list[dict]:
    """Every row checked before anything is written: a list of row dicts, or a
    ValidationError listing each bad row."""
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in IMPORT_COLUMNS if c not in headers]
    if missing:
        raise ValidationError(f"The file has no column named: {', '.join(missing)}")
    agencies = {a.name.lower(): a for a in rules.partner_agencies(plan.local_area)}
    errors: list[str] = []
    rows: list[dict] = []
    titles: dict[int, str] = {}
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        problems = []
        try:
            number = int(row["objective"])
            if number < 1:
                raise ValueError
        except ValueError:
            problems.append("the objective must be a whole number from 1")
            number = 0
        sub_number = None
        if row["sub-objective"]:
            prefix, _, tail = row["sub-objective"].rpartition(".")
            try:
                sub_number = int(tail)
                if sub_number < 1 or (prefix and int(prefix) != number):
                    raise ValueError
            except ValueError:
                problems.append(
                    f"the sub-objective must be written as {number or 'N'}.1, "
                    f"{number or 'N'}.2 …"
                )
            if not row["sub-objective text"]:
                problems.append("the sub-objective has no text")
        title = row["objective title"] or titles.get(number, "")
        if not title:
            problems.append("the objective has no title")
        elif number:
            titles.setdefault(number, title)
        if not row["description"]:
            problems.append("the action has no description")
        if not row["accountable"]:
            problems.append("nobody is accountable")
        if not row["responsible"]:
            problems.append("nobody is responsible")
        target = None
        if row["target date"]:
            try:
                target = datetime.date.fromisoformat(row["target date"])
            except ValueError:
                problems.append("the target date must be written as 2026-03-31")
        partners = []
        for name in filter(None, (p.strip() for p in row["partners"].split(";"))):
            if name.lower() in agencies:
                partners.append(agencies[name.lower()])
            else:
                problems.append(f"no partner agency is called {name!r}")
        if problems:
            errors.append(f"Row {line}: " + "; ".join(problems))
            continue
        rows.append(
            {
                "objective": number,
                "objective title": title,
                "sub-objective": sub_number,
                "sub-objective text": row["sub-objective text"],
                "description": row["description"],
                "evidence": row["evidence"],
                "outcomes": row["outcomes"],
                "accountable": row["accountable"][:200],
                "responsible": row["responsible"][:200],
                "timescale": row["timescale"][:100],
                "target date": target,
                "partners": partners,
            }
        )
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError("The file has no actions")
    return rows


@transaction.atomic
def import_plan_csv(*, by: User, plan: DeliveryPlan, text: str) -> ImportResult:
    """Add the objectives, sub-objectives and actions in a CSV file to the plan. The
    whole file is checked first; one bad row and nothing is written. Objectives and
    sub-objectives that exist (by number) are reused; actions are always added,
    unrated, at the end of their sub-objective."""
    rules.require_manage_plan(by, plan)
    rows = _parse_import(plan, text)
    result = ImportResult()
    objectives = {o.number: o for o in plan.objectives.all()}
    subs = {
        (s.objective.number, s.number): s
        for s in DeliverySubObjective.objects.filter(
            objective__plan=plan
        ).select_related("objective")
    }
    for row in rows:
        objective = objectives.get(row["objective"])
        if objective is None:
            objective = DeliveryObjective.objects.create(
                plan=plan, number=row["objective"], title=row["objective title"]
            )
            objectives[objective.number] = objective
            result.objectives += 1
        sub = None
        if row["sub-objective"] is not None:
            key = (objective.number, row["sub-objective"])
            sub = subs.get(key)
            if sub is None:
                sub = DeliverySubObjective.objects.create(
                    objective=objective,
                    number=row["sub-objective"],
                    text=row["sub-objective text"],
                )
                subs[key] = sub
                result.sub_objectives += 1
        last = DeliveryAction.objects.filter(
            objective=objective, sub_objective=sub
        ).aggregate(last=Max("position"))["last"]
        action = DeliveryAction.objects.create(
            objective=objective,
            sub_objective=sub,
            position=(last or 0) + 1,
            description=row["description"],
            evidence=row["evidence"],
            outcomes=row["outcomes"],
            accountable_name=row["accountable"],
            responsible_name=row["responsible"],
            timescale=row["timescale"],
            target_date=row["target date"],
        )
        action.partners.set(row["partners"])
        result.actions += 1
    audit.record(
        by=by,
        action=Action.IMPORT,
        obj=plan,
        summary=f"Imported {result.actions} actions into the delivery plan {plan.title}",
        detail=result.__dict__,
    )
    return result


# --- demonstration data --------------------------------------------------------------

DEMO_PLAN_TITLE = "CSE strategic objectives and delivery plan (demonstration)"

# (objective, [(sub-objective, [(action, evidence, outcomes, accountable, responsible,
#   timescale, days from today to the target, partner agency kinds, action RAG,
#   outcome RAG)])]). Headings follow the strategy's prevent, protect and pursue
# themes, written afresh; the people are roles, never names.
DEMO_OBJECTIVES = [
    (
        "Prevention: understand the picture and stop exploitation before it starts",
        [
            (
                "Gather and use data to shape every service's response",
                [
                    (
                        "Keep the local problem profile up to date and have every "
                        "partner use the regional screening tool",
                        "Screenings reach the CSE coordinator from every agency",
                        "A full picture of exploitation in the area",
                        "Head of Community Safety",
                        "CSE coordinator",
                        "Quarterly",
                        -20,
                        ["education", "health", "police", "voluntary"],
                        "amber",
                        "none",
                    ),
                    (
                        "Agree an information sharing agreement between all partners",
                        "Signed agreement published on the partnership website",
                        "Staff know what they may share and with whom",
                        "Information governance lead",
                        "Partnership business manager",
                        "",
                        45,
                        ["education", "health", "police"],
                        "red",
                        "none",
                    ),
                ],
            ),
            (
                "Raise awareness with young people, families, communities and businesses",
                [
                    (
                        "Publish a guide for parents and carers and a route for the "
                        "public to report concerns",
                        "Leaflets, website pages and social media posts",
                        "The public know how to report a concern",
                        "Head of Community Safety",
                        "Communications team",
                        "",
                        90,
                        ["community_safety", "voluntary"],
                        "green",
                        "amber",
                    ),
                    (
                        "Train hotel, taxi and licensed premises staff to spot and "
                        "report exploitation",
                        "Log of who was trained and when; licence conditions",
                        "Businesses recognise and respond to vulnerability",
                        "Head of Regulatory Services",
                        "Licensing team",
                        "Ongoing",
                        -5,
                        ["licensing", "police"],
                        "amber",
                        "none",
                    ),
                ],
            ),
        ],
    ),
    (
        "Protection: identify children at risk early and support them and their families",
        [
            (
                "A skilled workforce in every agency",
                [
                    (
                        "Deliver exploitation awareness training to all front-line staff "
                        "and evaluate its impact",
                        "Training records from health, education, social care and police",
                        "Staff recognise, report and respond to exploitation",
                        "Workforce development lead",
                        "Partnership training officer",
                        "",
                        120,
                        ["education", "health", "police", "social_care"],
                        "green",
                        "green",
                    ),
                ],
            ),
            (
                "Keep children in care and placed out of area safe",
                [
                    (
                        "Review return-home interviews for children missing from care",
                        "Audit of interviews offered within 72 hours",
                        "Children who go missing are seen and heard",
                        "Head of Service, children in care",
                        "Missing children coordinator",
                        "",
                        -60,
                        ["social_care", "police"],
                        "blue",
                        "green",
                    ),
                ],
            ),
        ],
    ),
    (
        "Disruption and prosecution: pursue those who exploit children",
        [
            (
                "Use every civil and criminal tool to disrupt offenders",
                [
                    (
                        "Use abduction warning notices, sexual risk orders and "
                        "injunctions wherever the evidence allows",
                        "Police toolkit in use; notices and orders recorded",
                        "Early, proactive action against offenders",
                        "Detective Superintendent, public protection",
                        "Police CSE team",
                        "Monthly",
                        30,
                        ["police", "licensing", "housing"],
                        "green",
                        "amber",
                    ),
                ],
            ),
            (
                "Support victims through investigation and court",
                [
                    (
                        "Give every victim access to a specialist independent advocate",
                        "",
                        "Investigations that meet the victim's needs",
                        "Police and Crime Commissioner's office",
                        "Victim services commissioner",
                        "",
                        -1,
                        ["police", "voluntary"],
                        "amber",
                        "none",
                    ),
                ],
            ),
        ],
    ),
    (
        "Leadership and learning: hold the partnership to account",
        [
            (
                "Learn from cases, reviews and operations",
                [
                    (
                        "Debrief major operations and share lessons from national and "
                        "regional case reviews",
                        "Summary of lessons reported to the partnership's CSE group",
                        "Practice changes because of what was learned",
                        "Partnership independent chair",
                        "CSE coordinator",
                        "Six-monthly",
                        150,
                        ["police", "social_care"],
                        "green",
                        "none",
                    ),
                ],
            ),
        ],
    ),
]


@transaction.atomic
def seed_demo_plan(*, manager: User, coordinator: User | None = None) -> str:
    """A demonstration plan for the manager's area, written through the services so
    the history and audit trail are as the app leaves them. Idempotent by title."""
    area = manager.agency.local_area
    if DeliveryPlan.objects.filter(local_area=area, title=DEMO_PLAN_TITLE).exists():
        return "Demo delivery plan already exists; nothing to add."
    today = timezone.localdate()
    plan = create_plan(
        by=manager,
        local_area=area,
        title=DEMO_PLAN_TITLE,
        period_start=datetime.date(today.year, 4, 1),
        period_end=datetime.date(today.year + 2, 3, 31),
    )
    agencies = {a.kind: a for a in rules.partner_agencies(area)}
    count = 0
    for number, (title, subs) in enumerate(DEMO_OBJECTIVES, start=1):
        objective = save_objective(by=manager, plan=plan, number=number, title=title)
        for sub_number, (text, actions) in enumerate(subs, start=1):
            sub = save_sub_objective(
                by=manager, objective=objective, number=sub_number, text=text
            )
            for row in actions:
                (description, evidence, outcomes, accountable, responsible) = row[:5]
                timescale, days, kinds, action_rag, outcome_rag = row[5:]
                named = coordinator if responsible == "CSE coordinator" else None
                action = save_action(
                    by=manager,
                    plan=plan,
                    partners=[agencies[k] for k in kinds if k in agencies],
                    objective=objective,
                    sub_objective=sub,
                    description=description,
                    evidence=evidence,
                    outcomes=outcomes,
                    accountable_user=None,
                    accountable_name=accountable,
                    responsible_user=named,
                    responsible_name=responsible,
                    timescale=timescale,
                    target_date=today + datetime.timedelta(days=days),
                )
                if (action_rag, outcome_rag) != (Rag.NOT_RATED, Rag.NOT_RATED):
                    change_rag(
                        by=manager,
                        action=action,
                        action_rag=action_rag,
                        outcome_rag=outcome_rag,
                        comment="Rated at the partnership's CSE group review "
                        "(demonstration).",
                    )
                if evidence:
                    add_evidence(
                        by=manager,
                        action=action,
                        text=f"Progress reported to the CSE group. {evidence}.",
                    )
                count += 1
    return f"Created the demo delivery plan with {count} actions."
