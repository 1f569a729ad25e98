"""Reading personal data needs its reader, by construction.

Two rules the code keeps, checked over the source so a new module cannot forget them:

* No function takes its reader (`user`, `viewer`, `reader`, `agency` it renders for)
  with a default: a caller cannot leave the reader out and get everything.
* Modules that render, list, summarise or export (views, PDFs, summaries, home panels,
  search, template tags, tasks, CSV writers) never query a model holding personal data
  through its manager: they ask a permissions module, which takes the reader. A
  manager call is allowed only as the argument of a `scope_*` call of a permissions
  module, which narrows it to the reader in the same expression.

Services (writes, with the record already fetched through a permission helper),
importers and the aggregate-only report modules are outside the second rule: they
write rows or count without identities.
"""

from __future__ import annotations

import ast
import pathlib

import pytest
from django.apps import apps

from cse.models import Subject

ROOT = pathlib.Path(__file__).resolve().parent.parent
APPS = ("cse", "screening", "meetings", "missing", "disruption", "reports")
READER_PARAMETERS = {"user", "viewer", "reader", "for_agency", "receiving_agency"}
# Module names (or a folder they sit under) that render, list or export.
READ_PATH_NAMES = {
    "views",
    "pdf.py",
    "summaries.py",
    "registrations.py",
    "home.py",
    "search.py",
    "templatetags",
    "tasks.py",
    "csv_export.py",
    "downloads.py",
    "export.py",
}


def _modules(only_read_path: bool = False) -> list[pathlib.Path]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = set(path.relative_to(ROOT).parts)
            if "migrations" in parts or "management" in parts:
                continue
            if path.name == "permissions.py":
                continue
            if only_read_path and not (
                READ_PATH_NAMES & parts or path.name.startswith("views")
            ):
                continue
            found.append(path)
    return found


def _personal_models() -> set[str]:
    """Records and every model hung off one by a foreign key."""
    names = set()
    for model in apps.get_models():
        if issubclass(model, Subject):
            names.add(model.__name__)
            continue
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            if (
                getattr(field, "concrete", False)
                and isinstance(related, type)
                and issubclass(related, Subject)
            ):
                names.add(model.__name__)
                break
    return names


def _defaulted_readers(tree: ast.AST) -> list[tuple[int, str, str]]:
    """(line, function, parameter) of every reader parameter given a default."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        args = node.args
        positional = args.posonlyargs + args.args
        defaulted = {a.arg for a in positional[len(positional) - len(args.defaults) :]}
        defaulted |= {
            a.arg
            for a, default in zip(args.kwonlyargs, args.kw_defaults, strict=True)
            if default is not None
        }
        for name in sorted(defaulted & READER_PARAMETERS):
            found.append((node.lineno, node.name, name))
    return found


def test_no_function_takes_its_reader_with_a_default():
    offences = [
        f"{path.relative_to(ROOT)}:{line} {function}({name}=…)"
        for path in _modules()
        for line, function, name in _defaulted_readers(ast.parse(path.read_text()))
    ]
    assert offences == []


class _ManagerCalls(ast.NodeVisitor):
    def __init__(self, models: set[str]) -> None:
        self.models = models
        self.found: list[tuple[int, str]] = []
        self._scoped = 0

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name.startswith("scope_"):
            self._scoped += 1
            self.generic_visit(node)
            self._scoped -= 1
            return
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if (
            node.attr in {"objects", "_default_manager", "_base_manager"}
            and isinstance(node.value, ast.Name)
            and node.value.id in self.models
            and not self._scoped
        ):
            self.found.append((node.lineno, node.value.id))
        self.generic_visit(node)


@pytest.mark.django_db(databases=[])
def test_read_paths_ask_a_permissions_module_for_personal_data():
    models = _personal_models()
    assert {"Child", "Referral", "Action", "ChronologyEntry", "Cawn"} <= models
    offences = []
    for path in _modules(only_read_path=True):
        visitor = _ManagerCalls(models)
        visitor.visit(ast.parse(path.read_text()))
        offences += [
            f"{path.relative_to(ROOT)}:{line} {model}.objects"
            for line, model in visitor.found
        ]
    assert offences == []


def test_the_checks_see_the_read_path_modules():
    """A guard against the walk silently finding nothing."""
    names = {str(p.relative_to(ROOT)) for p in _modules(only_read_path=True)}
    assert {"meetings/pdf.py", "meetings/views.py", "cse/summaries.py"} <= names


def _offences(source: str) -> list[tuple[int, str]]:
    visitor = _ManagerCalls({"Child", "WarningNote"})
    visitor.visit(ast.parse(source))
    return visitor.found


def test_the_manager_check_catches_an_unscoped_read_and_allows_a_scoped_one():
    """The walk above must be able to fail: a direct manager read is an offence, the
    same read inside a `scope_*` call of a permissions module is not, and leaving the
    scope call does not carry its allowance over to the next statement."""
    assert _offences("rows = Child.objects.filter(pk=1)\n") == [(1, "Child")]
    assert _offences("n = WarningNote._default_manager.count()\n") == [
        (1, "WarningNote")
    ]
    assert (
        _offences(
            "rows = permissions.scope_by_subject(user, WarningNote.objects.all(), 's')\n"
        )
        == []
    )
    assert _offences(
        "a = permissions.scope_by_subject(user, WarningNote.objects.all(), 's')\n"
        "b = Child.objects.all()\n"
    ) == [(2, "Child")]
    # Models without personal data, and names that merely end in `objects`, pass.
    assert _offences("Agency.objects.all(); child.objects_seen\n") == []


def test_the_reader_default_check_catches_a_defaulted_reader():
    source = (
        "def render(subject, user=None):\n    pass\n"
        "def export(rows, *, for_agency=None):\n    pass\n"
        "def fine(subject, user, *, viewer, limit=10):\n    pass\n"
    )
    assert _defaulted_readers(ast.parse(source)) == [
        (1, "render", "user"),
        (3, "export", "for_agency"),
    ]
