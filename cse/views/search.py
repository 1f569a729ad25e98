from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cse import audit, forms, permissions
from cse.models import AuditEvent, Subject
from cse.search import search as run_search

SESSION_KEY = "search"


@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Search is posted, and the query kept in the session, so that names and dates of
    birth never appear in a URL, a browser history or a server log."""
    permissions.require(permissions.sees_records(request.user))
    if request.method == "POST":
        form = forms.SearchForm(request.POST)
        if form.is_valid():
            request.session[SESSION_KEY] = {
                "query": form.cleaned_data["query"],
                "kinds": form.cleaned_data["kinds"],
            }
            return redirect(reverse("cse:search"))
        return render(request, "cse/search.html", {"form": form, "results": None})
    saved = request.session.get(SESSION_KEY)
    if request.GET.get("clear") == "yes" or not saved:
        request.session.pop(SESSION_KEY, None)
        return render(
            request, "cse/search.html", {"form": forms.SearchForm(), "results": None}
        )
    results = run_search(request.user, saved["query"], saved["kinds"] or None)
    shown = [subject for group in results.values() for subject in group]
    audit.record(
        by=request.user,
        action=AuditEvent.Action.SEARCH,
        summary="search",
        detail={
            "query": saved["query"],
            "kinds": saved["kinds"],
            "subject_ids": [s.pk for s in shown],
        },
    )
    groups = [
        {"kind": kind, "label": label, "results": results[kind]}
        for kind, label in Subject.Kind.choices
        if kind in results
    ]
    return render(
        request,
        "cse/search.html",
        {
            "form": forms.SearchForm(initial=saved),
            "results": groups,
            "total": len(shown),
            "query": saved["query"],
        },
    )
