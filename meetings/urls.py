from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("new/", views.meeting_create, name="meeting_create"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/triage/", views.triage, name="triage"),
    path(
        "<int:pk>/triage/<int:referral_pk>/",
        views.triage_decide,
        name="triage_decide",
    ),
    path("<int:pk>/items/<int:item_pk>/", views.item_detail, name="item_detail"),
    path("<int:pk>/items/<int:item_pk>/move/", views.item_move, name="item_move"),
    path("<int:pk>/items/<int:item_pk>/remove/", views.item_remove, name="item_remove"),
    path(
        "<int:pk>/items/<int:item_pk>/notes/new/", views.note_create, name="note_create"
    ),
    path(
        "<int:pk>/items/<int:item_pk>/decisions/new/",
        views.decision_create,
        name="decision_create",
    ),
    path(
        "<int:pk>/items/<int:item_pk>/actions/new/",
        views.action_create,
        name="action_create",
    ),
    path("<int:pk>/circulate/", views.circulate, name="circulate"),
    path("<int:pk>/allow-late/", views.allow_late, name="allow_late"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/actions/", views.action_list, name="action_list"),
    path(
        "<int:pk>/actions/<int:action_pk>/", views.action_detail, name="action_detail"
    ),
    path(
        "<int:pk>/actions/<int:action_pk>/close/",
        views.action_close,
        name="action_close",
    ),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/minutes/approve/", views.minutes_approve, name="minutes_approve"),
    path("<int:pk>/documents/new/", views.document_create, name="document_create"),
    path(
        "<int:pk>/documents/<int:document_pk>/",
        views.document_status,
        name="document_status",
    ),
    path(
        "<int:pk>/documents/<int:document_pk>/download/",
        views.document_download,
        name="document_download",
    ),
]
