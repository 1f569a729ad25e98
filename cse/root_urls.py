"""The site's URLs: the core app, the other apps as they come, and sign-in."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cse import views
from cse.forms import SignInForm
from cse.views.account import PasswordChangeView
from cse.views.stepup import step_up

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("confirm-identity/", step_up, name="step_up"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("health/", views.health, name="health"),
    path("administration/site/", admin.site.urls),
    path("screening/", include("screening.urls")),
    path("missing/", include("missing.urls")),
    path("meetings/", include("meetings.urls")),
    path("disruption/", include("disruption.urls")),
    path("reports/", include("reports.urls")),
    path("", include("cse.urls")),
]

handler500 = "cse.views.home.server_error"
