from django.urls import path

from . import views, views_profile

app_name = "reports"

urlpatterns = [
    path("dataset/", views.dataset_index, name="dataset"),
    path("dataset/definitions/", views.definitions, name="definitions"),
    path("dataset/figures/", views.manual_entry, name="manual_entry"),
    path("dataset/snapshots/", views.snapshot_create, name="snapshot_create"),
    path("dataset/snapshots/<int:pk>/", views.snapshot_detail, name="snapshot_detail"),
    path("dataset/snapshots/<int:pk>/csv/", views.snapshot_csv, name="snapshot_csv"),
    path("dataset/snapshots/<int:pk>/pdf/", views.snapshot_pdf, name="snapshot_pdf"),
    path(
        "dataset/snapshots/<int:pk>/<str:item>/<str:period>/",
        views.figure_children,
        name="figure_children",
    ),
    # The problem profile, the trends dashboard, the persons behind item (iv).
    path("dashboard/", views_profile.dashboard, name="dashboard"),
    path("profile/", views_profile.profile, name="profile"),
    path("profile/csv/", views_profile.profile_csv, name="profile_csv"),
    path("profile/pdf/", views_profile.profile_pdf, name="profile_pdf"),
    path("profile/gaps/", views_profile.profile_gap_create, name="profile_gap_create"),
    path(
        "dataset/snapshots/<int:pk>/iv/persons/<str:period>/",
        views_profile.figure_persons,
        name="figure_persons",
    ),
]
