"""Walks the URL resolver: a view added without a row in some app's permission matrix
fails the suite, so no page ships without its access rules stated and checked."""

import importlib
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

TESTS = Path(__file__).parent


def stated_url_names() -> set[str]:
    names: set[str] = set()
    for matrix in sorted(TESTS.glob("*/test_permission_matrix.py")):
        module = importlib.import_module(
            f"tests.{matrix.parent.name}.test_permission_matrix"
        )
        for attribute in ("MATRIX", "POST_ONLY", "PUBLIC", "OTHER"):
            names |= set(getattr(module, attribute, ()))
    return names


def all_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue  # Django's admin guards itself; see cse/admin.py
                namespace = pattern.namespace
                walk(
                    pattern.url_patterns,
                    f"{prefix}{namespace}:" if namespace else prefix,
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(prefix + pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_is_in_a_permission_matrix():
    missing = all_url_names() - stated_url_names()
    assert not missing, f"Add these views to a permission matrix: {sorted(missing)}"


def test_the_matrices_name_no_url_that_does_not_exist():
    stale = stated_url_names() - all_url_names()
    assert not stale, f"These matrix rows name no URL: {sorted(stale)}"
