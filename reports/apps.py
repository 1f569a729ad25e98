from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cse.context_processors import NavItem, add_nav_item

        from . import rules

        add_nav_item(NavItem("Reports", "reports:dataset", 80, rules.may_view))

        from cse.models import Subject
        from cse.views.common import Tab, add_tab

        add_tab(
            Tab(
                "Outcomes",
                "reports:child_outcomes",
                frozenset({Subject.Kind.CHILD}),
                60,
            )
        )
