"""The banner on every page of a record opened through break-glass in this request,
with the holder's "End access now". Costs nothing on other pages: the request
context says whether a grant was used, and the grant's expiry is already read."""

from __future__ import annotations

from django import template
from django.utils import timezone

from cse import audit, permissions

register = template.Library()


@register.inclusion_tag("cse/break_glass_banner.html", takes_context=True)
def break_glass_banner(context) -> dict:
    request = context.get("request")
    current = audit.current_request_context()
    user = getattr(request, "user", None)
    if current is None or current.break_glass is None or user is None:
        return {"grant": None}
    grant_id, user_id, subject_id = current.break_glass
    if user_id != user.pk:
        return {"grant": None}
    _grant, expires_at = permissions.break_glass_grant_expiry(user, subject_id)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "grant": {
            "pk": grant_id,
            "reference": f"BG-{grant_id:06d}",
            "expires_at": timezone.localtime(expires_at) if expires_at else None,
        },
    }


@register.filter
def may_break_glass(user) -> bool:
    """`{% if request.user|may_break_glass %}`: whether to offer break-glass at all."""
    from cse import break_glass

    return bool(user and user.is_authenticated and break_glass.may_break_glass(user))
