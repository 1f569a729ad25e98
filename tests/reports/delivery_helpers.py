"""A small delivery plan for the tests: one objective with a sub-objective and an
action dave (police, agency B) is named responsible for."""

from __future__ import annotations

import datetime

from cse.models import Agency, User
from reports import delivery_plan as plans
from reports.models import DeliveryAction, DeliveryPlan


def make_plan(pam: User, *, title: str = "Testshire CSE delivery plan") -> DeliveryPlan:
    return plans.create_plan(
        by=pam,
        local_area=pam.agency.local_area,
        title=title,
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2028, 3, 31),
    )


def add_action(
    pam: User,
    plan: DeliveryPlan,
    *,
    number: int = 1,
    responsible: User | None = None,
    target: datetime.date | None = datetime.date(2026, 6, 30),
    partners: list[Agency] | None = None,
    description: str = "Roll out the screening tool to every partner",
) -> DeliveryAction:
    objective = plan.objectives.filter(number=number).first() or plans.save_objective(
        by=pam, plan=plan, number=number, title=f"Objective {number} title"
    )
    sub = objective.sub_objectives.first() or plans.save_sub_objective(
        by=pam, objective=objective, number=1, text="Use data to shape services"
    )
    return plans.save_action(
        by=pam,
        plan=plan,
        partners=partners or [],
        objective=objective,
        sub_objective=sub,
        description=description,
        evidence="Screenings from every agency",
        outcomes="A full picture of exploitation",
        accountable_user=None,
        accountable_name="Head of Community Safety",
        responsible_user=responsible,
        responsible_name="" if responsible else "CSE team",
        timescale="Quarterly",
        target_date=target,
    )
