from django.apps import AppConfig


class MissingConfig(AppConfig):
    name = "missing"
    default_auto_field = "django.db.models.BigAutoField"
