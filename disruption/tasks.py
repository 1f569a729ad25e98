from celery import shared_task

from disruption import services


@shared_task(
    acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3
)
def expire_cawns() -> int:
    """End notices whose child has reached 16 (or 18, looked after) and lift the
    "CAWN in force" flag. Idempotent: each notice is ended once, under a row lock."""
    return services.expire_cawns()
