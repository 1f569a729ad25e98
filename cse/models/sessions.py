from __future__ import annotations

from django.conf import settings
from django.db import models


class UserSession(models.Model):
    """Which sessions belong to whom, recorded at sign-in, so an administrator can
    end all of a user's sessions (Django's session table has no user column)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Session of user {self.user_id} from {self.started_at:%Y-%m-%d %H:%M}"
