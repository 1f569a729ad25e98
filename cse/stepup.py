"""Step-up: the actions that matter most (sharing, exports, bulk PDFs, opening a
record through break-glass, changing one's sign-in factors) ask the user to prove
themselves again when their last check is older than STEP_UP_MINUTES.

Views opt in with ``@step_up_required``. A GET that needs a fresh check is sent to
the confirmation page and comes back to the same address afterwards. A POST that
arrives after the window closed is never acted on: the user confirms and is sent
back to the form (the address holds only record ids, never personal data).

A view marked ``@step_up_required(download=True)`` answers with a file to save
(a PDF, a CSV). Links to it carry no ``download`` attribute, which would make the
browser save the confirmation page instead; after confirming, the user sees that
their file is on its way and the browser fetches it at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

CHECKED_AT = "step_up_checked_at"


def mark_checked(request: HttpRequest) -> None:
    """The user has just proved who they are (sign-in, password or code)."""
    request.session[CHECKED_AT] = time.time()


def is_recent(request: HttpRequest) -> bool:
    checked = request.session.get(CHECKED_AT)
    return (
        checked is not None and time.time() - checked <= settings.STEP_UP_MINUTES * 60
    )


def confirm_url(next_url: str) -> str:
    return f"{reverse('step_up')}?{urlencode({'next': next_url})}"


def same_site_path(request: HttpRequest, target: str) -> bool:
    """A path on this site ("/screening/1/pdf/"): never another host, a scheme,
    or a protocol-relative "//host" address."""
    parts = urlsplit(target)
    return (
        target.startswith("/")
        and not parts.scheme
        and not parts.netloc
        and url_has_allowed_host_and_scheme(
            target,
            allowed_hosts={request.get_host()},
            require_https=request.is_secure(),
        )
    )


def safe_next(request: HttpRequest, default: str = "cse:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if same_site_path(request, target):
        return target
    return reverse(default)


def sends_file(target: str) -> bool:
    """Whether `target` (a same-site path) is a view marked as a download."""
    try:
        match = resolve(urlsplit(target).path)
    except Resolver404:
        return False
    return bool(getattr(match.func, "step_up_download", False))


def return_to(request: HttpRequest) -> str:
    """Where to come back to: the page itself for a GET; for a POST the page the form
    was on (a POST-only address would answer a GET with 405)."""
    if request.method == "POST":
        referer = urlsplit(request.META.get("HTTP_REFERER", ""))
        if referer.netloc == request.get_host() and referer.path:
            return referer.path + (f"?{referer.query}" if referer.query else "")
    return request.get_full_path()


def step_up_required(
    view: Callable[..., HttpResponse] | None = None,
    *,
    when: Callable[[HttpRequest], bool] | None = None,
    download: bool = False,
):
    """``@step_up_required``, or ``@step_up_required(when=...)`` for a view that
    needs the check only for some requests (e.g. its CSV download). ``download``:
    what the view answers (whenever it needs the check) is a file to save."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if is_recent(request) or (when is not None and not when(request)):
                return view(request, *args, **kwargs)
            if request.method == "POST":
                messages.info(
                    request,
                    "For your security, confirm it is you again, then submit the form.",
                )
            return redirect(confirm_url(return_to(request)))

        wrapped.step_up = True
        wrapped.step_up_download = download
        return wrapped

    return decorate(view) if view is not None else decorate
