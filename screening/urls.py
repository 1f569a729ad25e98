from django.urls import path

from . import views

app_name = "screening"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.start_fresh, name="start_fresh"),
    path("children/<int:pk>/", views.child_screenings, name="child_screenings"),
    path("children/<int:pk>/new/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/draft/", views.autosave, name="autosave"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("<int:pk>/correct/", views.correct, name="correct"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("actions/<int:pk>/update/", views.action_update, name="action_update"),
]
