"""manage.py bootstrap_administrator USERNAME

Make an existing account a system administrator, only while the service has fewer
than two: the way a new installation gets the two administrators that four-eyes
administration needs (cse.administration). Recorded in the audit trail.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cse.administration import bootstrap_administrator
from cse.models import User


class Command(BaseCommand):
    help = "Make one of the first two system administrators."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        account = User.objects.filter(username=username).first()
        if account is None:
            raise CommandError(f"No account has the username “{username}”.")
        try:
            bootstrap_administrator(account=account)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"{username} is now a system administrator.")
