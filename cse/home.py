"""The home page's panels: what needs each user's attention.

Each panel is a function of the user returning a dict for the template (or None when
it does not apply). Other apps add theirs with `register` from their AppConfig.ready.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cse import permissions
from cse.models import Child, Role, User, WarningNote
from cse.models.subjects import SPECIFIC_ATTR

Panel = Callable[[User], dict | None]
PANELS: list[tuple[int, Panel]] = []


def register(order: int) -> Callable[[Panel], Panel]:
    def decorator(panel: Panel) -> Panel:
        PANELS.append((order, panel))
        PANELS.sort(key=lambda item: item[0])
        return panel

    return decorator


def panels_for(user: User) -> list[dict]:
    return [result for _, build in PANELS if (result := build(user)) is not None]


@register(10)
def my_children(user: User) -> dict | None:
    if not permissions.sees_records(user):
        return None
    children = permissions.visible_children(user).filter(
        Q(lead_professional=user) | Q(allocated_social_worker=user),
        case_status=Child.CaseStatus.OPEN,
    )
    rows = list(children.order_by("surname", "forename")[:20])
    return {
        "title": "Children you are allocated to",
        "template": "cse/home/children_panel.html",
        "children": rows,
        "empty": "You are not the lead professional or allocated social worker for any open case.",
    }


@register(20)
def recently_shared(user: User) -> dict | None:
    if not permissions.sees_records(user):
        return None
    since = timezone.now() - datetime.timedelta(days=14)
    rows = list(
        permissions.recently_shared_children(user, since).select_related(
            "owner_agency"
        )[:20]
    )
    return {
        "title": "Children shared with your agency in the last 14 days",
        "template": "cse/home/children_panel.html",
        "children": rows,
        "show_owner": True,
        "empty": "Nothing has been shared with your agency recently.",
    }


@register(30)
def warnings_due(user: User) -> dict | None:
    if not permissions.may_record(user):
        return None
    warnings = list(
        permissions.scope_by_subject(
            user,
            WarningNote.objects.filter(
                ended_at__isnull=True,
                review_on__lte=timezone.localdate(),
                subject__owner_agency=user.agency_id,
            ),
            "subject",
        ).select_related(*(f"subject__{name}" for name in SPECIFIC_ATTR.values()))[:20]
    )
    return {
        "title": "Warning notes due for review",
        "template": "cse/home/warnings_panel.html",
        "warnings": warnings,
        "empty": "No warning notes on your agency's records are due for review.",
    }


@register(40)
def serious_risk(user: User) -> dict | None:
    if not user.has_role(Role.CSE_COORDINATOR) or not permissions.sees_records(user):
        return None
    rows = list(
        permissions.visible_children(user)
        .filter(current_category=3, case_status=Child.CaseStatus.OPEN)
        .order_by("surname", "forename")[:30]
    )
    return {
        "title": "Children at serious risk (category 3)",
        "template": "cse/home/children_panel.html",
        "children": rows,
        "link": reverse("cse:child_list") + "?category=3",
        "empty": "No open case your agency can see is at category 3.",
    }


@register(50)
def area_picture(user: User) -> dict | None:
    """Aggregates only: a partnership manager never sees who the children are."""
    if not user.has_role(Role.PARTNERSHIP_MANAGER) or user.agency is None:
        return None
    counts = permissions.open_cases_by_category(user)
    rows = [
        ("Category 3: serious risk", counts.get(3, 0)),
        ("Category 2: significant risk", counts.get(2, 0)),
        ("Category 1: at risk", counts.get(1, 0)),
        ("No CSE concerns identified", counts.get(0, 0)),
        ("Not yet assessed", counts.get(None, 0)),
    ]
    return {
        "title": f"Open cases in {user.agency.local_area} by CSE risk category",
        "template": "cse/home/counts_panel.html",
        "rows": [(label, _suppress(n)) for label, n in rows],
        "note": "Counts of 1 to 4 are shown as “fewer than 5”.",
    }


def _suppress(n: int) -> str:
    return "fewer than 5" if 0 < n < 5 else str(n)


@register(60)
def administration(user: User) -> dict | None:
    if not permissions.can_administer(user):
        return None
    since = timezone.now() - datetime.timedelta(days=1)
    return {
        "title": "Administration",
        "template": "cse/home/admin_panel.html",
        "failed_logins": permissions.failed_logins_since(user, since),
        "active_users": User.objects.filter(is_active=True).count(),
    }
