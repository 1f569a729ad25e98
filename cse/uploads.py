"""The one check for a scan or document someone uploads (today: a served notice's
signed copy).

The type is read from the content, never from the name or the browser's claim, and
the content must really be what it says: a picture must decode completely (a PNG
header followed by an HTML page is not a picture), and a PDF must parse and carry
nothing that acts when it is opened (JavaScript, an open action, a launch, an
attached file, a form that sends data; an `/OpenAction` that only names the page
to open at is not an action). The PDF is parsed (pypdf), not searched for
words: a compressed object stream hides /JavaScript from a byte scan.
"""

from __future__ import annotations

import io
import warnings

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

SCAN_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
}
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
PNG_END = b"IEND\xaeB`\x82"
# Keys and action types of a PDF that run, open or send something.
PDF_ACTIVE = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/OpenAction",
        "/AA",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/XFA",
        "/SubmitForm",
        "/ImportData",
        "/GoToE",
        "/GoToR",
    }
)


class Refused(Exception):
    """Why an upload is refused, as the end of a sentence about it."""


def check_upload(
    upload: UploadedFile,
    *,
    field: str,
    what: str,
    max_bytes: int,
    types: dict[str, str] = SCAN_TYPES,
) -> str:
    """The upload's real MIME type, one of `types`, after checking that it is under
    `max_bytes` and really is that kind of file. Raises a ValidationError for
    `field`, its message naming the file as `what` ("The signed copy")."""
    names = _join([extension.upper() for extension in dict.fromkeys(types.values())])
    if upload.size > max_bytes:
        _refuse(field, f"{what} must be smaller than {_size(max_bytes)}")
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in types:
        _refuse(field, f"{what} must be a {names}")
    try:
        if kind.mime == "application/pdf":
            _check_pdf(data)
        else:
            _check_image(data, kind.mime)
    except Refused as refused:
        _refuse(field, f"{what} {refused}")
    return kind.mime


def _refuse(field: str, message: str):
    raise ValidationError({field: message})


def _size(limit: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if limit >= scale and limit % scale == 0:
            return f"{limit // scale}{unit}"
    return f"{limit:,} bytes"


def _join(parts: list[str]) -> str:
    return ", ".join(parts[:-1]) + " or " + parts[-1] if len(parts) > 1 else parts[0]


def _check_image(data: bytes, mime: str) -> None:
    from PIL import Image

    damaged = Refused(
        "is not a picture that can be opened: scan the paper copy again and "
        "upload the scan"
    )
    try:
        with warnings.catch_warnings():
            # An image of hundreds of millions of pixels is a decompression bomb.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != PILLOW_FORMATS[mime]:
                    raise damaged
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    except Refused:
        raise
    except Exception as error:  # Pillow raises many kinds for a broken file
        raise damaged from error
    if mime == "image/png" and not data.endswith(PNG_END):
        # Anything after the image's end is not part of the picture.
        raise damaged


def _check_pdf(data: bytes) -> None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise Refused("must not be protected by a password")
        if len(reader.pages) == 0:
            raise Refused("has no pages")
        active = _active_content(reader)
    except Refused:
        raise
    except Exception as error:  # pypdf raises many kinds for a broken file
        raise Refused(
            "is not a PDF that can be opened: scan the paper copy again and upload "
            "the scan"
        ) from error
    if active:
        raise Refused(
            "must not contain scripts, actions that run when it is opened or "
            "attached files: scan the paper copy again and upload the scan"
        )


def _opens_at_a_page(key: str, value) -> bool:
    """`/OpenAction [3 0 R /Fit]`, a page to open at (as many PDF makers write),
    is not an action; `/OpenAction << /S /JavaScript ... >>` is."""
    from pypdf.generic import ArrayObject

    return key == "/OpenAction" and isinstance(value.get_object(), ArrayObject)


def _active_content(reader) -> bool:
    """Whether any object of the file (every entry of its cross-reference tables,
    those inside object streams too, and the trailer) names an active feature."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    roots = [reader.trailer]
    for generation, entries in reader.xref.items():
        roots.extend(IndirectObject(number, generation, reader) for number in entries)
    roots.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
    for root in roots:
        stack = [root.get_object() if isinstance(root, IndirectObject) else root]
        while stack:
            item = stack.pop()
            if isinstance(item, DictionaryObject):
                for key, value in item.items():
                    if key in PDF_ACTIVE and not _opens_at_a_page(key, value):
                        return True
                    if not isinstance(value, IndirectObject):
                        stack.append(value)
            elif isinstance(item, ArrayObject):
                stack.extend(v for v in item if not isinstance(v, IndirectObject))
            elif isinstance(item, NameObject) and item in PDF_ACTIVE:
                return True
    return False
