from django.urls import path

from . import views, views_outcomes

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
    # --- outcome measures and the MASE monthly snapshot ---
    path(
        "children/<int:pk>/outcomes/",
        views_outcomes.child_outcomes,
        name="child_outcomes",
    ),
    path(
        "children/<int:pk>/outcomes/new/",
        views_outcomes.assessment_create,
        name="assessment_create",
    ),
    path(
        "children/<int:pk>/outcomes/<int:assessment>/correct/",
        views_outcomes.assessment_correct,
        name="assessment_correct",
    ),
    path("outcomes/", views_outcomes.outcomes_report, name="outcomes_report"),
    path(
        "outcomes/csv/", views_outcomes.outcomes_report_csv, name="outcomes_report_csv"
    ),
    path("mase/", views_outcomes.mase_report, name="mase_report"),
    path("mase/csv/", views_outcomes.mase_report_csv, name="mase_report_csv"),
    path(
        "mase/<slug:area>/<int:year>/<int:month>/<str:figure>/",
        views_outcomes.mase_children,
        name="mase_children",
    ),
    # --- end outcome measures ---
]
