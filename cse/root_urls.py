"""The site's URLs: the core app, the other apps as they come, and sign-in."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cse import views
from cse.forms import SignInForm
from cse.views import account
from cse.views import health as health_views
from cse.views import session as session_views
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
    path("session/", session_views.session_status, name="session_status"),
    path(
        "session/keep-alive/",
        session_views.session_keep_alive,
        name="session_keep_alive",
    ),
    path("sign-in/code/", account.second_factor, name="second_factor"),
    path(
        "account/authenticator/",
        account.authenticator_setup,
        name="authenticator_setup",
    ),
    path("account/recovery-codes/", account.recovery_codes, name="recovery_codes"),
    path(
        "account/recovery-codes/new/",
        account.recovery_codes_new,
        name="recovery_codes_new",
    ),
    path(
        "account/security-key/", account.security_key_setup, name="security_key_setup"
    ),
    path("account/security/", account.account_security, name="account_security"),
    path("account/webauthn/", include(account.webauthn_urls())),
    path(
        "password/reset/",
        account.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        account.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accessibility/", views.accessibility, name="accessibility"),
    # Answered first by cse.health.HealthCheckMiddleware; listed here for reverse().
    path("health/live", health_views.live, name="health_live"),
    path("health/ready", health_views.ready, name="health_ready"),
    path("health/", health_views.ready, name="health"),  # the old address: readiness
    path("administration/site/", admin.site.urls),
    path("screening/", include("screening.urls")),
    path("missing/", include("missing.urls")),
    path("meetings/", include("meetings.urls")),
    path("disruption/", include("disruption.urls")),
    path("reports/", include("reports.urls")),
    path("", include("cse.urls")),
]

handler500 = "cse.views.home.server_error"
