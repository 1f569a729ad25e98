from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SubmissionToken(models.Model):
    """A form's one-time token, claimed by the first POST that carried it.

    The row is inserted at the start of that POST's transaction and committed with
    what the POST wrote, together with where its response sent the user. A second
    POST with the same token finds the row (on PostgreSQL its INSERT waits for the
    first transaction to end; on SQLite the transaction itself waits) and is sent
    to the same place, writing nothing. A POST whose response is not a redirect (a
    form with errors) gives its row back, so the form can be corrected and sent.

    `location` is the redirect target of the app's own pages: paths that name
    records by database id, never personal data (cse.submission_tokens)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    location = models.CharField(max_length=2000, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "token"], name="cse_submissiontoken_once_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"Form token of user {self.user_id} at {self.created_at:%Y-%m-%d %H:%M}"
