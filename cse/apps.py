from django.apps import AppConfig


class CseConfig(AppConfig):
    name = "cse"
    verbose_name = "Core records"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cse import auth_audit, break_glass, lockout  # noqa: F401

        break_glass._register_home_and_nav()
