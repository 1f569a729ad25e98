from django.apps import AppConfig


class DisruptionConfig(AppConfig):
    name = "disruption"
    default_auto_field = "django.db.models.BigAutoField"
