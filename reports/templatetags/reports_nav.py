"""The reports section's sub-navigation: each report the user may open, once."""

from __future__ import annotations

from django import template

from reports import permissions as rules
from reports import profile as problem

register = template.Library()

SECTIONS = [
    ("dataset", "Quarterly dataset", "reports:dataset", rules.may_view),
    ("dashboard", "Dashboard", "reports:dashboard", rules.may_view),
    ("profile", "Problem profile", "reports:profile", problem.may_view),
    ("mase", "MASE snapshot", "reports:mase_report", rules.may_view),
    (
        "outcomes",
        "Outcome measures",
        "reports:outcomes_report",
        rules.may_view_outcomes,
    ),
    ("delivery", "Delivery plans", "reports:delivery_index", rules.may_read_plans),
]


@register.inclusion_tag("reports/includes/reports_nav.html", takes_context=True)
def reports_nav(context, active: str) -> dict:
    user = context["request"].user
    return {
        "sections": [
            (key, label, url_name)
            for key, label, url_name, may in SECTIONS
            if may(user)
        ],
        "active": active,
    }
