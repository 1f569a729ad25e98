"""Response headers and session limits that every page gets.

A strict Content-Security-Policy (no inline script or style anywhere in the
templates, so none is allowed), no framing, no referrer beyond this site, and no
browser features the app does not use. Sessions also end 12 hours after sign-in,
however active, and signing out tells the browser to clear what it holds.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SIGNED_IN_AT = "signed_in_at"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.method == "POST" and request.path == reverse("logout"):
            response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response


class AbsoluteSessionLimitMiddleware:
    """Sign the user out once SESSION_ABSOLUTE_HOURS have passed since sign-in,
    whatever their activity (the idle limit is the session cookie's age)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.setdefault(SIGNED_IN_AT, time.time())
            if time.time() - started > settings.SESSION_ABSOLUTE_HOURS * 3600:
                logout(request)
                return redirect(reverse("login"))
        return self.get_response(request)
