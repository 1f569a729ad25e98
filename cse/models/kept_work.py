from __future__ import annotations

from django.conf import settings
from django.db import models


class KeptWork(models.Model):
    """A form its author posted after the idle sign-out, kept (encrypted) until they
    sign in again and are shown it, or until it expires (cse/kept_work.py).

    `path` is the form's address, which holds only ids; what was typed is only in
    `token`, a Fernet token whose plain text names the user and path too."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    path = models.CharField(max_length=500)
    token = models.TextField()
    kept_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "path"], name="cse_keptwork_one_per_user_and_path"
            )
        ]

    def __str__(self) -> str:
        return f"Work kept for user {self.user_id} at {self.path}"
