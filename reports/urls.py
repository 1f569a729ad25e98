from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("dataset/", views.dataset_index, name="dataset"),
    path("dashboard/", views.dashboard, name="dashboard"),
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
]
