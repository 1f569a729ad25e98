"""Periodic jobs for missing children: thin shells over missing.services."""

from __future__ import annotations

from celery import shared_task

from missing import services


@shared_task(acks_late=True)
def scan_return_interviews() -> int:
    """Send due reminders and overdue alerts (each exactly once: see
    services.send_due_alerts) and catch ongoing episodes passing 72 hours."""
    sent = services.send_due_alerts()
    services.evaluate_ongoing()
    return sent


@shared_task(acks_late=True)
def evaluate_missing_patterns() -> int:
    """A nightly safety net: every child's episodes against the rules (first-time
    matches only act), should a rule's configuration have changed."""
    return services.evaluate_all()
