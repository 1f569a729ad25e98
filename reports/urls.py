from django.urls import path

from . import views, views_outcomes, views_profile
from . import views_delivery as dp

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
    # The CSE delivery plan
    path("delivery/", dp.delivery_index, name="delivery_index"),
    path("delivery/new/", dp.delivery_plan_create, name="delivery_plan_create"),
    path("delivery/<int:pk>/", dp.delivery_plan_detail, name="delivery_plan_detail"),
    path("delivery/<int:pk>/edit/", dp.delivery_plan_edit, name="delivery_plan_edit"),
    path("delivery/<int:pk>/csv/", dp.delivery_plan_csv, name="delivery_plan_csv"),
    path("delivery/<int:pk>/pdf/", dp.delivery_plan_pdf, name="delivery_plan_pdf"),
    path(
        "delivery/<int:pk>/import/",
        dp.delivery_plan_import,
        name="delivery_plan_import",
    ),
    path(
        "delivery/<int:pk>/objectives/new/",
        dp.delivery_objective_create,
        name="delivery_objective_create",
    ),
    path(
        "delivery/objectives/<int:pk>/",
        dp.delivery_objective_edit,
        name="delivery_objective_edit",
    ),
    path(
        "delivery/objectives/<int:pk>/sub-objectives/new/",
        dp.delivery_sub_objective_create,
        name="delivery_sub_objective_create",
    ),
    path(
        "delivery/sub-objectives/<int:pk>/",
        dp.delivery_sub_objective_edit,
        name="delivery_sub_objective_edit",
    ),
    path(
        "delivery/<int:pk>/actions/new/",
        dp.delivery_action_create,
        name="delivery_action_create",
    ),
    path(
        "delivery/actions/<int:pk>/",
        dp.delivery_action_detail,
        name="delivery_action_detail",
    ),
    path(
        "delivery/actions/<int:pk>/edit/",
        dp.delivery_action_edit,
        name="delivery_action_edit",
    ),
    path(
        "delivery/actions/<int:pk>/rating/",
        dp.delivery_action_rag,
        name="delivery_action_rag",
    ),
    path(
        "delivery/actions/<int:pk>/evidence/",
        dp.delivery_evidence_add,
        name="delivery_evidence_add",
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
