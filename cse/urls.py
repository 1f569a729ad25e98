from django.urls import path

from cse import views

app_name = "cse"

urlpatterns = [
    path("", views.home, name="home"),
    path("notifications/", views.notifications, name="notifications"),
    path(
        "notifications/<int:pk>/open/",
        views.notification_open,
        name="notification_open",
    ),
    path("search/", views.search, name="search"),
    # Children
    path("children/", views.child_list, name="child_list"),
    path("children/new/", views.child_create, name="child_create"),
    path("children/<int:pk>/", views.child_detail, name="child_detail"),
    path("children/<int:pk>/edit/", views.child_edit, name="child_edit"),
    path(
        "children/<int:pk>/chronology/", views.child_chronology, name="child_chronology"
    ),
    path(
        "children/<int:pk>/category/new/", views.category_create, name="category_create"
    ),
    path("children/<int:pk>/flags/new/", views.flag_create, name="flag_create"),
    path(
        "children/<int:pk>/flags/<int:flag_pk>/remove/",
        views.flag_remove,
        name="flag_remove",
    ),
    path("children/<int:pk>/plans/new/", views.plan_create, name="plan_create"),
    # Persons of interest, locations, vehicles
    path("persons/", views.person_list, name="person_list"),
    path("persons/new/", views.person_create, name="person_create"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("locations/", views.location_list, name="location_list"),
    path("locations/new/", views.location_create, name="location_create"),
    path("locations/<int:pk>/", views.location_detail, name="location_detail"),
    path("locations/<int:pk>/edit/", views.location_edit, name="location_edit"),
    path("vehicles/new/", views.vehicle_create, name="vehicle_create"),
    path("vehicles/<int:pk>/", views.vehicle_detail, name="vehicle_detail"),
    path("vehicles/<int:pk>/edit/", views.vehicle_edit, name="vehicle_edit"),
    # Anything any record has
    path("records/<int:pk>/aliases/new/", views.alias_create, name="alias_create"),
    path(
        "records/<int:pk>/addresses/new/", views.address_create, name="address_create"
    ),
    path("records/<int:pk>/phones/new/", views.phone_create, name="phone_create"),
    path("records/<int:pk>/warnings/new/", views.warning_create, name="warning_create"),
    path("records/<int:pk>/links/new/", views.link_create, name="link_create"),
    path("records/<int:pk>/links/<int:link_pk>/end/", views.link_end, name="link_end"),
    path("records/<int:pk>/sharing/", views.sharing, name="sharing"),
    path("records/<int:pk>/sharing/new/", views.share_create, name="share_create"),
    path(
        "records/<int:pk>/sharing/withdraw/",
        views.share_withdraw,
        name="share_withdraw",
    ),
    path("records/<int:pk>/access-log/", views.access_log, name="access_log"),
    path(
        "records/<int:pk>/referrals/new/", views.referral_create, name="referral_create"
    ),
    path("referrals/", views.referral_list, name="referral_list"),
    # Break-glass: a time-boxed, read-only look at a record not shared with you
    # (the record is named by its reference in the POSTed form, never in the address)
    path("break-glass/", views.break_glass_start, name="break_glass_start"),
    path("break-glass/<int:pk>/end/", views.break_glass_end, name="break_glass_end"),
    path("break-glass/reviews/", views.break_glass_reviews, name="break_glass_reviews"),
    path(
        "break-glass/reviews/<int:pk>/",
        views.break_glass_review,
        name="break_glass_review",
    ),
    # Administration
    path("audit/", views.audit_search, name="audit_search"),
    path(
        "administration/import-children/", views.import_children, name="import_children"
    ),
]
