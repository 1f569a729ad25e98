from __future__ import annotations

import io

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cse import forms, permissions
from cse.importing import ImportRejected
from cse.importing import import_children as run_import

# Each child takes a few milliseconds to write with its access row, chronology and
# audit; past this, a web request would outlast the server's timeout.
UPLOAD_ROW_LIMIT = 2000


@require_http_methods(["GET", "POST"])
def import_children(request: HttpRequest) -> HttpResponse:
    """Administrators bring children over from a spreadsheet or a legacy system.
    The whole file is checked first; any bad row rejects it and nothing is written."""
    permissions.require(permissions.can_administer(request.user))
    form = forms.ImportChildrenForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        if content.count(b"\n") > UPLOAD_ROW_LIMIT:
            form.add_error(
                "file",
                f"The file has more than {UPLOAD_ROW_LIMIT:,} rows: split it, or ask for it to be "
                "imported with the import_children command",
            )
            return render(
                request, "cse/import_children.html", {"form": form, "row_errors": []}
            )
        try:
            report = run_import(
                file=io.BytesIO(content),
                agency=form.cleaned_data["agency"],
                by=request.user,
            )
        except ImportRejected as rejected:
            row_errors = rejected.errors
            form.add_error(
                "file",
                f"The file has {len(row_errors)} problems and nothing was imported",
            )
        else:
            messages.success(
                request,
                f"Imported {report.created} children; {report.skipped} already present (unchanged)",
            )
            return redirect("cse:import_children")
    return render(
        request, "cse/import_children.html", {"form": form, "row_errors": row_errors}
    )
