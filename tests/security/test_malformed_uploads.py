"""Malformed uploads to every upload endpoint: each is refused with a specific error in
the GOV.UK error summary, linked to the file field, and nothing is written (no row in
any table, no file in storage)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import uploads

PNG = uploads.png()
PNG_HEADER = b"\x89PNG\r\n\x1a\n"
HTML = b"<html><body><script>alert(1)</script></body></html>\n"
JS_ACTION = b"<< /S /JavaScript /JS (app.alert(1)) >>"


def cawn_version(pk: int) -> dict:
    """The version the CAWN's upload form carries, as its page gives it now."""
    from cse.concurrency import VERSION_FIELD
    from disruption.forms import SignedCopyForm
    from disruption.models import Cawn

    cawn = Cawn.objects.get(pk=pk)
    return {VERSION_FIELD: SignedCopyForm(version_of=cawn).fresh_version()}


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.pdf", b"\x00" * (20 * 1024 * 1024))
    return buffer.getvalue()


# name -> (file name, content)
CASES: dict[str, Callable[[str], tuple[str, bytes]]] = {
    "empty": lambda ext: (f"empty.{ext}", b""),
    "png named as the expected type": lambda ext: (f"scan.{ext}", PNG),
    "html named as the expected type": lambda ext: (f"page.{ext}", HTML),
    "a PNG header followed by HTML": lambda ext: (f"scan.{ext}", PNG_HEADER + HTML),
    "a PNG header with nothing behind it": lambda ext: (
        f"scan.{ext}",
        PNG_HEADER + b"\x00" * 64,
    ),
    "a picture with HTML after its end": lambda ext: (f"scan.{ext}", PNG + HTML),
    "a JPEG header followed by HTML": lambda ext: (
        f"scan.{ext}",
        b"\xff\xd8\xff\xe0" + HTML,
    ),
    "a PDF header with no PDF behind it": lambda ext: (
        f"scan.{ext}",
        b"%PDF-1.4\n" + HTML + b"%%EOF\n",
    ),
    "a PDF with JavaScript run on opening": lambda ext: (
        f"scan.{ext}",
        uploads.plain_pdf(b"/OpenAction 4 0 R", JS_ACTION),
    ),
    "a PDF hiding its open action in a compressed object stream": lambda ext: (
        f"scan.{ext}",
        uploads.pdf(b"/OpenAction " + JS_ACTION),
    ),
    "a PDF with document JavaScript": lambda ext: (
        f"scan.{ext}",
        uploads.plain_pdf(
            b"/Names << /JavaScript 4 0 R >>", b"<< /Names [(a) 5 0 R] >>", JS_ACTION
        ),
    ),
    "a PDF with a page action": lambda ext: (
        f"scan.{ext}",
        uploads.plain_pdf(b"/AA << /O " + JS_ACTION + b" >>"),
    ),
    "a PDF that launches a program": lambda ext: (
        f"scan.{ext}",
        uploads.plain_pdf(b"/OpenAction << /S /Launch /F (cmd.exe) >>"),
    ),
    "a PDF with an attached file": lambda ext: (
        f"scan.{ext}",
        uploads.plain_pdf(
            b"/Names << /EmbeddedFiles 4 0 R >>",
            b"<< /Names [(setup.exe) 5 0 R] >>",
            b"<< /Type /Filespec /F (setup.exe) /EF << /F 6 0 R >> >>",
            b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
        ),
    ),
    "a PDF with an action no object refers to": lambda ext: (
        f"scan.{ext}",
        uploads.plain_pdf(b"", b"<< /S /Launch /F (cmd.exe) >>"),
    ),
    "a password-protected PDF": lambda ext: (f"scan.{ext}", uploads.encrypted_pdf()),
    "an executable": lambda ext: (
        f"setup.{ext}",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200,
    ),
    "over the size limit": lambda ext: (f"big.{ext}", b"a,b\n" * (3 * 1024 * 1024)),
    "latin-1 with a BOM": lambda ext: (
        f"latin.{ext}",
        b"\xef\xbb\xbfforename,surname\nZo\xe9,Test\xe9\n",
    ),
    "utf-16": lambda ext: (
        f"wide.{ext}",
        "forename,surname\nTest,Té\n".encode("utf-16"),
    ),
    "formula cells": lambda ext: (
        f"formula.{ext}",
        b'=HYPERLINK("http://example.invalid","x"),+1,-1,@SUM(A1)\n=1+1,2,3,4\n',
    ),
    "100,000 columns": lambda ext: (f"wide.{ext}", b",".join([b"c"] * 100_000) + b"\n"),
    "a 1 MB cell": lambda ext: (
        f"cell.{ext}",
        b"forename,surname\n" + b"a" * (1024 * 1024) + b",b\n",
    ),
    "a 50 MB line": lambda ext: (f"line.{ext}", b"a" * (50 * 1024 * 1024)),
    "a zip bomb named as the expected type": lambda ext: (f"bomb.{ext}", _zip_bomb()),
    "a path-traversal name": lambda ext: (f"../../etc/passwd.{ext}", b"root:x:0:0\n"),
    "a name with NUL and newline": lambda ext: (
        f"evil\x00name\n.{ext}",
        b"not,the,right,columns\n",
    ),
}


@dataclass
class Endpoint:
    url_name: str
    user: str
    field: str
    ext: str
    fields: Callable[[dict, dict], dict]
    args: Callable[[dict], list]
    accepts: frozenset[str] = frozenset()


ENDPOINTS = {
    "children import": Endpoint(
        "cse:import_children",
        "sam",
        "file",
        "csv",
        lambda cast, ids: {"agency": cast["alice"].agency_id},
        lambda ids: [],
    ),
    "missing-report import": Endpoint(
        "missing:import_upload",
        "bob",
        "file",
        "csv",
        lambda cast, ids: {},
        lambda ids: [],
    ),
    "CAWN signed copy": Endpoint(
        "disruption:cawn_upload",
        "dave",
        "signed_copy",
        "pdf",
        lambda cast, ids: cawn_version(ids["cawn"]),
        lambda ids: [ids["cawn"]],
        # A real PNG is a scan the app takes, whatever its name says: it is stored
        # by its content type (see the last test).
        frozenset({"png named as the expected type"}),
    ),
}


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def files_in(root) -> set[str]:
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_malformed_uploads_are_refused_with_a_specific_error_and_write_nothing(
    endpoint, dataset, cast, client, private_storage, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    spec = ENDPOINTS[endpoint]
    client.force_login(cast[spec.user])
    url = reverse(spec.url_name, args=spec.args(dataset))
    failures = []
    errors_seen = {}
    for case, make in CASES.items():
        if case in spec.accepts:
            continue
        name, content = make(spec.ext)
        before, stored = row_counts(), files_in(private_storage)
        upload = SimpleUploadedFile(
            name, content, content_type="application/octet-stream"
        )
        response = client.post(url, {spec.field: upload, **spec.fields(cast, dataset)})
        after = row_counts()
        written = {k: after[k] - before[k] for k in after if after[k] != before[k]}
        if response.status_code != 200:
            failures.append((case, f"status {response.status_code}"))
            continue
        body = response.content.decode()
        summary = re.search(
            r'govuk-error-summary__list">(.*?)</ul>', body, flags=re.DOTALL
        )
        if not summary or f'href="#id_{spec.field}"' not in summary.group(1):
            failures.append((case, "no error summary linked to the file field"))
        else:
            errors_seen[case] = re.sub(r"<[^>]+>|\s+", " ", summary.group(1)).strip()
        if written:
            failures.append((case, f"wrote {written}"))
        if files_in(private_storage) != stored:
            failures.append((case, "stored a file"))
    print(f"\n{endpoint}:")
    for case, message in errors_seen.items():
        print(f"  {case}: {message}")
    assert not failures, failures


@pytest.mark.parametrize(
    "content,extension,mime",
    [
        (uploads.plain_pdf(), "pdf", "application/pdf"),
        (uploads.pdf(), "pdf", "application/pdf"),
        # A page to open at is not an action.
        (uploads.plain_pdf(b"/OpenAction [3 0 R /Fit]"), "pdf", "application/pdf"),
        (PNG, "png", "image/png"),
        (uploads.jpeg(), "jpg", "image/jpeg"),
    ],
)
def test_a_signed_copy_is_stored_under_a_name_and_type_of_its_own(
    dataset, cast, client, private_storage, content, extension, mime
):
    """Whatever the upload was called (here a path-traversal name ending .pdf)."""
    from disruption.models import Cawn

    client.force_login(cast["dave"])
    upload = SimpleUploadedFile(
        "../../../etc/cron.d/evil\n.pdf", content, "application/pdf"
    )
    response = client.post(
        reverse("disruption:cawn_upload", args=[dataset["cawn"]]),
        {"signed_copy": upload, **cawn_version(dataset["cawn"])},
    )
    assert response.status_code == 302
    cawn = Cawn.objects.get(pk=dataset["cawn"])
    assert re.fullmatch(
        rf"disruption/cawns/[0-9a-f]{{32}}\.{extension}", str(cawn.signed_copy)
    )
    assert cawn.signed_copy_type == mime
    root = private_storage.resolve()
    assert all(p.resolve().is_relative_to(root) for p in private_storage.rglob("*"))


def test_a_replaced_signed_copy_is_deleted_once_the_change_is_saved(
    dataset, cast, client, private_storage, django_capture_on_commit_callbacks
):
    from disruption.models import Cawn

    client.force_login(cast["dave"])
    url = reverse("disruption:cawn_upload", args=[dataset["cawn"]])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {
                "signed_copy": SimpleUploadedFile("a.png", PNG),
                **cawn_version(dataset["cawn"]),
            },
        )
    first = Cawn.objects.get(pk=dataset["cawn"]).signed_copy
    assert (private_storage / first).exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            url,
            {
                "signed_copy": SimpleUploadedFile("b.pdf", uploads.plain_pdf()),
                **cawn_version(dataset["cawn"]),
            },
        )
    assert response.status_code == 302
    assert callbacks
    second = Cawn.objects.get(pk=dataset["cawn"]).signed_copy
    assert second != first and second.endswith(".pdf")
    assert (private_storage / second).exists()
    assert not (private_storage / first).exists()


def test_a_refused_replacement_keeps_the_signed_copy(
    dataset, cast, client, private_storage, django_capture_on_commit_callbacks
):
    from disruption.models import Cawn

    client.force_login(cast["dave"])
    url = reverse("disruption:cawn_upload", args=[dataset["cawn"]])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {
                "signed_copy": SimpleUploadedFile("a.png", PNG),
                **cawn_version(dataset["cawn"]),
            },
        )
    first = Cawn.objects.get(pk=dataset["cawn"]).signed_copy
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(
            url,
            {
                "signed_copy": SimpleUploadedFile("b.png", PNG_HEADER + HTML),
                **cawn_version(dataset["cawn"]),
            },
        )
    assert refused.status_code == 200
    assert Cawn.objects.get(pk=dataset["cawn"]).signed_copy == first
    assert (private_storage / first).exists()
