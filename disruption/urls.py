from django.urls import path

from disruption import views

app_name = "disruption"

urlpatterns = [
    path("records/<int:pk>/", views.subject_disruption, name="subject_disruption"),
    path("records/<int:pk>/tactics/new/", views.tactic_create, name="tactic_create"),
    path(
        "records/<int:pk>/tactics/<int:tactic_pk>/",
        views.tactic_update,
        name="tactic_update",
    ),
    path("records/<int:pk>/plans/new/", views.plan_create, name="plan_create"),
    path(
        "records/<int:pk>/plans/<int:plan_pk>/review/",
        views.plan_review,
        name="plan_review",
    ),
    path(
        "records/<int:pk>/plans/<int:plan_pk>/deselect/",
        views.plan_deselect,
        name="plan_deselect",
    ),
    path("persons/<int:pk>/cawns/new/", views.cawn_create, name="cawn_create"),
    path("cawns/", views.cawn_register, name="cawn_register"),
    path("cawns/<int:pk>/", views.cawn_detail, name="cawn_detail"),
    path("cawns/<int:pk>/pdf/", views.cawn_pdf, name="cawn_pdf"),
    path("cawns/<int:pk>/serve/", views.cawn_serve, name="cawn_serve"),
    path(
        "cawns/<int:pk>/signed-copy/", views.cawn_signed_copy, name="cawn_signed_copy"
    ),
    path("cawns/<int:pk>/signed-copy/upload/", views.cawn_upload, name="cawn_upload"),
    path(
        "cawns/<int:pk>/breaches/new/",
        views.cawn_breach_create,
        name="cawn_breach_create",
    ),
    path("cawns/<int:pk>/withdraw/", views.cawn_withdraw, name="cawn_withdraw"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/new/", views.report_create, name="report_create"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/grade/", views.report_grade, name="report_grade"),
    path("reports/<int:pk>/attach/", views.report_attach, name="report_attach"),
    path(
        "reports/<int:pk>/new/<slug:kind>/",
        views.report_new_subject,
        name="report_new_subject",
    ),
    path("reports/<int:pk>/link/", views.report_link, name="report_link"),
    path("reports/<int:pk>/actioned/", views.report_actioned, name="report_actioned"),
    path("intelligence-log/", views.intelligence_log, name="intelligence_log"),
]
