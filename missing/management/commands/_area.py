from django.core.management.base import CommandError

from cse.models import LocalArea


def area_from(slug: str | None) -> LocalArea | None:
    if not slug:
        return None
    try:
        return LocalArea.objects.get(slug=slug)
    except LocalArea.DoesNotExist:
        raise CommandError(f"No local area has the slug “{slug}”") from None
