"""Files for upload tests: real scans (a one-page PDF, a small PNG and JPEG) and
hostile ones built the way an attacker would."""

from __future__ import annotations

import io
import zlib


def png(size=(8, 8)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, "PNG")
    return out.getvalue()


def jpeg(size=(8, 8)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, "JPEG")
    return out.getvalue()


def pdf(catalog_extra: bytes = b"") -> bytes:
    """A one-page PDF 1.5 whose objects are all inside a compressed object stream,
    found through a cross-reference stream: what `catalog_extra` adds to the catalog
    is not in the file's bytes as written."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    }
    body, offsets = b"", []
    for number, text in objects.items():
        offsets.append(b"%d %d" % (number, len(body)))
        body += text + b"\n"
    header = b" ".join(offsets) + b"\n"
    stream = zlib.compress(header + body)
    out = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n"
    at_stream = len(out)
    out += (
        b"4 0 obj\n<< /Type /ObjStm /N 3 /First %d /Filter /FlateDecode /Length %d >>"
        b"\nstream\n" % (len(header), len(stream)) + stream + b"\nendstream\nendobj\n"
    )
    at_xref = len(out)
    rows = [(0, 0, 65535), (2, 4, 0), (2, 4, 1), (2, 4, 2), (1, at_stream, 0)]
    rows.append((1, at_xref, 0))
    table = b"".join(
        bytes([kind]) + a.to_bytes(4, "big") + b.to_bytes(2, "big")
        for kind, a, b in rows
    )
    out += (
        b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>"
        b"\nstream\n" % len(table) + table + b"\nendstream\nendobj\n"
    )
    return out + b"startxref\n%d\n%%%%EOF\n" % at_xref


def plain_pdf(catalog_extra: bytes = b"", *extra_objects: bytes) -> bytes:
    """A one-page PDF 1.4 with a classic cross-reference table, every object written
    as it is; `catalog_extra` goes into the catalog, `extra_objects` become objects
    4, 5, ..."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *extra_objects,
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, text in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + text + b"\nendobj\n"
    at_xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    return out + b"startxref\n%d\n%%%%EOF\n" % at_xref


def encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
