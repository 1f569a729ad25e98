from django.apps import AppConfig


class CseConfig(AppConfig):
    name = "cse"
    verbose_name = "Core records"
    default_auto_field = "django.db.models.BigAutoField"
