from django.urls import path

from missing import views

app_name = "missing"

urlpatterns = [
    path("children/<int:pk>/", views.child_missing, name="child_missing"),
    path("children/<int:pk>/new/", views.episode_create, name="episode_create"),
    path("episodes/<int:pk>/", views.episode_detail, name="episode_detail"),
    path("episodes/<int:pk>/edit/", views.episode_edit, name="episode_edit"),
    path("episodes/<int:pk>/interview/", views.interview_edit, name="interview_edit"),
    path(
        "episodes/<int:pk>/interview/share/",
        views.interview_share,
        name="interview_share",
    ),
    path(
        "episodes/<int:pk>/interview/link/",
        views.interview_link,
        name="interview_link",
    ),
    path("interviews/", views.interviews_due, name="interviews_due"),
    path("compliance/", views.compliance, name="compliance"),
    path("cmog/", views.cmog_list, name="cmog_list"),
    path("import/", views.import_upload, name="import_upload"),
    path("queue/", views.queue, name="queue"),
    path("queue/<int:pk>/", views.queue_resolve, name="queue_resolve"),
]
