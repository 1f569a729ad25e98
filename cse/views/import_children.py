from __future__ import annotations

import io

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cse import forms, permissions
from cse.importing import ImportRejected, import_children as run_import


@require_http_methods(["GET", "POST"])
def import_children(request: HttpRequest) -> HttpResponse:
    """Administrators bring children over from a spreadsheet or a legacy system.
    The whole file is checked first; any bad row rejects it and nothing is written."""
    permissions.require(permissions.can_administer(request.user))
    form = forms.ImportChildrenForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = run_import(
                file=io.BytesIO(upload.read()), agency=form.cleaned_data["agency"], by=request.user
            )
        except ImportRejected as rejected:
            row_errors = rejected.errors
            form.add_error("file", f"The file has {len(row_errors)} problems and nothing was imported")
        else:
            messages.success(
                request,
                f"Imported {report.created} children; {report.skipped} already present (unchanged)",
            )
            return redirect("cse:import_children")
    return render(request, "cse/import_children.html", {"form": form, "row_errors": row_errors})
