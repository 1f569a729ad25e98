"""What the page layout needs on every page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from cse import permissions, session_timeout
from cse.models import User

MARKING = "OFFICIAL-SENSITIVE"


@dataclass(frozen=True)
class NavItem:
    """An entry of the primary navigation. Other apps add theirs with `add_nav_item`
    from their AppConfig.ready; `visible` decides who sees it."""

    label: str
    url_name: str
    order: int
    visible: Callable[[User], bool]


NAV: list[NavItem] = [
    NavItem("Home", "cse:home", 0, lambda user: True),
    NavItem("Children", "cse:child_list", 10, permissions.sees_records),
    NavItem("Persons of interest", "cse:person_list", 20, permissions.sees_records),
    NavItem("Locations", "cse:location_list", 30, permissions.sees_records),
    NavItem("Referrals", "cse:referral_list", 40, permissions.sees_records),
    NavItem("Search", "cse:search", 90, permissions.sees_records),
    NavItem("Audit trail", "cse:audit_search", 100, permissions.can_search_audit),
    NavItem("Import children", "cse:import_children", 110, permissions.can_administer),
]


def add_nav_item(item: NavItem) -> None:
    NAV.append(item)
    NAV.sort(key=lambda entry: entry.order)


def shell(request: HttpRequest) -> dict:
    """Navigation for the user's roles, the protective marking, unread notifications."""
    user = request.user
    nav: list[dict] = []
    unread = 0
    # Before the second factor passes, the menu would only lead back to it.
    verified = user.is_authenticated and getattr(user, "is_verified", lambda: True)()
    if verified:
        unread = user.notifications.filter(read_at__isnull=True).count()
        home = reverse("cse:home")
        items = [
            (entry.label, reverse(entry.url_name))
            for entry in NAV
            if entry.visible(user)
        ]
        label = f"Notifications ({unread})" if unread else "Notifications"
        items.append((label, reverse("cse:notifications")))
        for text, url in items:
            active = (
                request.path == url if url == home else request.path.startswith(url)
            )
            nav.append({"label": text, "url": url, "active": active})
    return {
        "shell": {
            "nav": nav,
            "marking": MARKING,
            "unread": unread,
            "logout_url": reverse("logout"),
            "password_change_url": reverse("password_change") if verified else None,
            # The timeout warning's starting point; the script asks again before
            # it acts (cse.session_timeout).
            "timeout": {
                "seconds_left": session_timeout.seconds_left(request, active_now=True)[
                    0
                ],
                "warn_seconds": settings.SESSION_TIMEOUT_WARNING_SECONDS,
                "kept_minutes": settings.KEPT_WORK_MINUTES,
            }
            if verified
            else None,
        }
    }
