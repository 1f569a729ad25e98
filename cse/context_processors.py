from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from cse import permissions

MARKING = "OFFICIAL-SENSITIVE"


def shell(request: HttpRequest) -> dict:
    """What the page layout needs on every page: navigation for the user's roles,
    the protective marking, and the unread notification count."""
    user = request.user
    nav: list[dict] = []
    unread = 0
    if user.is_authenticated:
        path = request.path
        items = [("Home", reverse("cse:home"))]
        if permissions.sees_records(user):
            items += [
                ("Children", reverse("cse:child_list")),
                ("Persons of interest", reverse("cse:person_list")),
                ("Locations", reverse("cse:location_list")),
                ("Search", reverse("cse:search")),
            ]
        if permissions.can_search_audit(user):
            items += [("Audit trail", reverse("cse:audit_search"))]
            items += [("Import children", reverse("cse:import_children"))]
        unread = user.notifications.filter(read_at__isnull=True).count()
        items += [
            (
                f"Notifications ({unread})" if unread else "Notifications",
                reverse("cse:notifications"),
            )
        ]
        home = reverse("cse:home")
        for label, url in items:
            active = path == url if url == home else path.startswith(url)
            nav.append({"label": label, "url": url, "active": active})
    return {
        "shell": {
            "nav": nav,
            "marking": MARKING,
            "unread": unread,
            "logout_url": reverse("logout"),
            "password_change_url": reverse("password_change"),
        }
    }
