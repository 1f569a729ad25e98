from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cse import permissions
        from cse import services as core
        from cse.context_processors import NavItem, add_nav_item

        from . import services

        # A referral to a forum is shared with the organisers of its meetings.
        core.register_forum_administrators(services.forum_administrators)

        add_nav_item(
            NavItem("Meetings", "meetings:meeting_list", 45, permissions.sees_records)
        )
