"""The Celery app. Its tasks enqueue after commit, best-effort.

The database row is the record of work to do (an e-mail owed, a document waiting,
a snapshot pending) and a periodic sweep finds rows left waiting, so a broker that
cannot be reached when a change commits must not turn a saved change into an error
page: `delay_on_commit` logs the failure, without the task's arguments, and carries
on. The broker only makes the work start sooner.
"""

import functools
import logging
import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from django.db import transaction
from kombu.exceptions import KombuError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cse.settings")

logger = logging.getLogger("cse.tasks")


class Task(DjangoTask):
    def delay_on_commit(self, *args, **kwargs) -> None:
        transaction.on_commit(functools.partial(self.enqueue_best_effort, args, kwargs))

    def apply_async_on_commit(self, *args, **kwargs) -> None:
        transaction.on_commit(functools.partial(self._apply_quietly, args, kwargs))

    def enqueue_best_effort(self, args: tuple, kwargs: dict) -> bool:
        """Enqueue now; False (and a log line) when the broker cannot take it."""
        return self._apply_quietly((args, kwargs), {})

    def _apply_quietly(self, args: tuple, kwargs: dict) -> bool:
        try:
            self.apply_async(*args, **kwargs)
        except Exception as error:
            if not isinstance(error, self._broker_errors()):
                raise  # a fault of ours, not the broker's: it must show
            # The class only: a message might repeat an address or an argument.
            logger.warning(
                "Could not enqueue %s (%s); the periodic sweep will pick the work up",
                self.name,
                type(error).__name__,
            )
            return False
        return True

    def _broker_errors(self) -> tuple[type[BaseException], ...]:
        """What the broker's transport raises when it cannot be reached or fails."""
        connection = self.app.connection_for_write()
        return (
            KombuError,
            OSError,
            *connection.connection_errors,
            *connection.channel_errors,
        )


app = Celery("cse", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
