from __future__ import annotations

from django.contrib.auth import views as auth_views

from cse.tasks import email_security_notice


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (which ends the user's other sessions), plus an e-mail
    to the account holder so an unexpected change is noticed."""

    def form_valid(self, form):
        response = super().form_valid(form)
        email_security_notice.delay_on_commit(self.request.user.pk, "password_changed")
        return response
