"""Read a form off a page as a browser would submit it: what its inputs, selects,
textareas, ticked boxes and chosen radios hold."""

from __future__ import annotations

from tests.security.crawl import Form, parse

VERSION = "record_version"


def forms_on(response) -> list[Form]:
    return [
        form for form in parse(response.content.decode()).forms if form.method == "post"
    ]


def edit_form(response, *, action: str | None = None) -> Form:
    """The page's form carrying a record version (the one posting to `action`, when
    the page has several)."""
    found = [
        form
        for form in forms_on(response)
        if any(field["name"] == VERSION for field in form.fields)
        and (action is None or form.action in ("", action))
    ]
    assert found, "no form on the page carries a record version"
    return found[0]


def submitted(form: Form, **changes) -> dict:
    """The form's data as submitted, with `changes` applied (a list for several
    values of one name)."""
    data: dict[str, list[str]] = {}
    for field in form.fields:
        name = field["name"]
        if not name or field["type"] in ("submit", "button", "file"):
            continue
        if field["type"] in ("radio", "checkbox"):
            if field["checked"]:
                data.setdefault(name, []).append(field["value"])
            continue
        value = field["value"]
        if field["tag"] == "textarea" and value.startswith("\n"):
            value = value[1:]  # the newline after <textarea> is not content
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    return data


def version_of(form: Form) -> str:
    return next(field["value"] for field in form.fields if field["name"] == VERSION)


def read_version(client, url: str, *, action: str | None = None) -> dict:
    """`{record_version: token}` as the page at `url` gives it now (in its form
    posting to `action`, for a step whose form sits on a record's page), to post
    with a form's data as a browser would."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return {VERSION: version_of(edit_form(response, action=action))}
