"""Failed sign-ins: lockouts that slow an attacker without locking out a whole agency.

django-axes counts failures per username *and* address together (councils and police
sit behind shared addresses, so an address alone must never lock everyone out). After
5 failures that pair waits a cool-off that doubles with each further 5 failures for the
account in the last day (1, 2, 4 ... minutes, at most an hour). However many addresses
are used, an account takes at most ACCOUNT_FAILURES_PER_HOUR failed attempts an hour;
past that its sign-in answers exactly as for a wrong password. The account holder is
e-mailed when a lockout starts.
"""

from __future__ import annotations

import datetime

from axes.signals import user_locked_out
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from cse.models import AuditEvent, User

FAILURES_PER_LOCK = 5
MAX_COOL_OFF = datetime.timedelta(hours=1)
ACCOUNT_FAILURES_PER_HOUR = 100


def recent_failures(username: str, within: datetime.timedelta) -> int:
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.LOGIN_FAILED,
        detail__username=username,
        at__gte=timezone.now() - within,
    ).count()


def cool_off(request: HttpRequest | None) -> datetime.timedelta:
    """Axes' cool-off for the username being tried: doubles with repeated lockouts."""
    username = request.POST.get("username", "") if request is not None else ""
    failures = recent_failures(username, datetime.timedelta(days=1)) if username else 0
    lockouts = max(failures // FAILURES_PER_LOCK, 1)
    return min(datetime.timedelta(minutes=2 ** (lockouts - 1)), MAX_COOL_OFF)


def account_rate_exceeded(username: str) -> bool:
    return (
        recent_failures(username, datetime.timedelta(hours=1))
        >= ACCOUNT_FAILURES_PER_HOUR
    )


@receiver(user_locked_out)
def _record_and_tell(sender, request, username: str, ip_address: str, **kwargs) -> None:
    """Axes announces every refused attempt during a lockout; the start of one is
    audited, and its account holder e-mailed, once."""
    from cse import audit, outbox

    user = User.objects.filter(username=username, is_active=True).first()
    key = {"username": user.username} if user else {"known_user": False}
    started = AuditEvent.objects.filter(
        action=AuditEvent.Action.LOCKED_OUT,
        at__gte=timezone.now() - cool_off(request),
        **{f"detail__{name}": value for name, value in key.items()},
    )
    if user is None:
        started = started.filter(ip_address=ip_address)
    if started.exists():
        return
    audit.record(by=None, action=AuditEvent.Action.LOCKED_OUT, detail=key)
    if user is not None and user.email:
        outbox.queue_security_notice(user=user, kind="locked_out")
