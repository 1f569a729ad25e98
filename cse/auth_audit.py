"""Sign-ins, sign-outs and failed sign-ins go to the audit trail (the second
factor, which comes after the sign-in, is audited by its own page).

Django announces these only through its auth signals, so this is the one place the
project listens to signals. It also ends a user's sessions whenever the account is
saved inactive, however that happens (the administration site, a command, the
shell), so no deactivated account keeps a live session. The username tried is not kept for failed attempts
against unknown accounts: it may be someone's mistyped password.
"""

from __future__ import annotations

import time

from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.db.models.signals import post_save
from django.dispatch import receiver

from cse import audit, stepup, two_factor
from cse.models import AuditEvent, User
from cse.security import SIGNED_IN_AT


@receiver(user_logged_in)
def _logged_in(sender, request, user: User, **kwargs) -> None:
    audit.record(by=user, action=AuditEvent.Action.LOGIN)
    if request is not None and hasattr(request, "session"):
        # The absolute session limit counts from here (cse.security).
        request.session[SIGNED_IN_AT] = time.time()
        stepup.mark_checked(request)
        # Indexed so that an administrator can end all of the user's sessions.
        two_factor.record_session(request, user)


@receiver(user_logged_out)
def _logged_out(sender, request, user: User | None, **kwargs) -> None:
    if user is not None:
        audit.record(by=user, action=AuditEvent.Action.LOGOUT)
    if request is not None:
        two_factor.forget_session(request)


@receiver(user_login_failed)
def _login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    known = User.objects.filter(username=credentials.get("username", "")).first()
    audit.record(
        by=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        detail={"username": known.username} if known else {"known_user": False},
    )


@receiver(post_save, sender=User)
def _deactivated(sender, instance: User, **kwargs) -> None:
    from cse.models import UserSession

    if not instance.is_active and UserSession.objects.filter(user=instance).exists():
        two_factor.end_sessions(instance, by=None, reason="deactivated")
