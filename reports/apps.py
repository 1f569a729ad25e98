from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cse.context_processors import NavItem, add_nav_item

        from . import permissions as rules

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

    def seed_demo(self, *, users: dict) -> str:
        """Called by `manage.py seed_demo`: the demonstration delivery plan."""
        from . import delivery_plan

        return delivery_plan.seed_demo_plan(
            manager=users["partnership-manager"],
            coordinator=users.get("cse-coordinator"),
        )
