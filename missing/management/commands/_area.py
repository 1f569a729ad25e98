from django.core.management.base import CommandError

from cse.models import LocalArea, User


def area_from(slug: str | None) -> LocalArea | None:
    if not slug:
        return None
    try:
        return LocalArea.objects.get(slug=slug)
    except LocalArea.DoesNotExist:
        raise CommandError(f"No local area has the slug “{slug}”") from None


def reader_from(username: str) -> User:
    """The person who receives a command's output: it lists only what they may see,
    and the export is audited as theirs."""
    try:
        return User.objects.select_related("agency").get(
            username=username, is_active=True
        )
    except User.DoesNotExist:
        raise CommandError(f"No active user has the username “{username}”") from None
