"""Characters that change how text is shown without being seen themselves.

A right-to-left override makes "Test\\u202etxt.exe" read "Testexe.txt"; an
embedding or isolate reorders a name, a reference or a date the same way; a
zero-width space or word joiner makes two references that look the same differ (so
a search misses one), and tag characters carry text no one sees. Free text that
holds them is refused at input (cse.govuk_forms); text stored before that is shown
with each one as a visible marker such as "[U+202E]" in pages, PDFs and CSVs
(HiddenCharactersMiddleware, cse.pdf, cse.csv_export).

Allowed, because right-to-left writing (Arabic, Hebrew, Urdu, Persian) and emoji
need them and they cannot reorder a run of text by themselves: the left-to-right,
right-to-left and Arabic letter marks (U+200E, U+200F, U+061C), the zero-width
joiner and non-joiner (U+200C, U+200D), variation selectors, the soft hyphen, and
the tag characters of a subdivision flag (the flags of England, Scotland and Wales).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

_HIDDEN = (
    "\u202a-\u202e"  # bidirectional embeddings, overrides and their pop
    "\u2066-\u2069"  # bidirectional isolates
    "\u200b"  # zero-width space
    "\u2060-\u2064"  # word joiner, invisible operators
    "\u206a-\u206f"  # deprecated format characters
    "\u180e"  # Mongolian vowel separator (invisible)
    "\ufeff"  # zero-width no-break space (byte order mark)
    "\ufff9-\ufffb"  # interlinear annotation
    "\U000e0000-\U000e007f"  # tag characters
)
HIDDEN = re.compile(f"[{_HIDDEN}]")
# A subdivision flag: a black flag, tag letters and a cancel tag.
_FLAG = "\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"
_HIDDEN_OR_FLAG = re.compile(f"({_FLAG})|[{_HIDDEN}]")


def describe(char: str) -> str:
    """U+202E (right-to-left override)."""
    name = unicodedata.name(char, "").lower() or "a format character"
    return f"U+{ord(char):04X} ({name})"


def find_hidden(text: str) -> list[str]:
    """The hidden characters in `text`, each once, in the order they appear."""
    found: list[str] = []
    for match in _HIDDEN_OR_FLAG.finditer(text):
        if match.group(1) is None and match.group(0) not in found:
            found.append(match.group(0))
    return found


def _marker(match: re.Match) -> str:
    return match.group(1) or f"[U+{ord(match.group(0)):04X}]"


def show_hidden(text: str) -> str:
    """`text` with each hidden character replaced by a visible marker, "[U+202E]"."""
    if not isinstance(text, str) or not HIDDEN.search(text):
        return text
    return _HIDDEN_OR_FLAG.sub(_marker, text)


class HiddenCharactersMiddleware:
    """Every HTML page shows the hidden characters of text stored before they were
    refused as visible markers, whichever template rendered it: the page is where all
    of them meet. (PDFs and CSVs do the same in cse.pdf and cse.csv_export.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or response.content.isascii()
        ):
            return response
        charset = response.charset or "utf-8"
        try:
            text = response.content.decode(charset)
        except (UnicodeDecodeError, LookupError):
            return response
        shown = show_hidden(text)
        if shown is not text:
            response.content = shown.encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
