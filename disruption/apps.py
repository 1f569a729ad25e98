from django.apps import AppConfig


class DisruptionConfig(AppConfig):
    name = "disruption"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cse import permissions
        from cse.context_processors import NavItem, add_nav_item
        from cse.models import Subject
        from cse.views.common import Tab, add_tab
        from disruption import permissions as rules
        from disruption import summaries  # noqa: F401  (registers the providers)

        add_tab(
            Tab(
                "Disruption",
                "disruption:subject_disruption",
                frozenset(Subject.Kind.values),
                60,
            )
        )
        add_nav_item(
            NavItem(
                "CAWN register",
                "disruption:cawn_register",
                50,
                permissions.sees_records,
            )
        )
        add_nav_item(
            NavItem(
                "Information reports",
                "disruption:report_list",
                60,
                rules.may_submit_report,
            )
        )
