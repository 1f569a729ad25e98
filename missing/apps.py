from django.apps import AppConfig


class MissingConfig(AppConfig):
    name = "missing"
    verbose_name = "Missing children"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from missing import registrations  # noqa: F401
