"""Known vulnerabilities in the locked dependencies: `python REQUIREMENTS` runs
pip-audit on the hashed export of uv.lock; `npm` runs npm audit on the production
packages. Exits 1 on a finding (any known vulnerability for Python, which pip-audit
does not grade; high or critical for npm).

When the vulnerability database cannot be reached (a machine whose package mirror
has no advisory service) nothing was audited: that is said loudly, and the exit is 0
unless AUDIT_REQUIRE_SERVICE=1, because it is not a finding.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

# Advisories accepted after review: id -> why. Keep this short and dated.
IGNORED_PYTHON: dict[str, str] = {}


def unreachable(tool: str, detail: str) -> int:
    print(f"{tool}: NOT AUDITED, the vulnerability database could not be reached")
    print(f"  {detail.strip()[:300]}")
    return 1 if os.environ.get("AUDIT_REQUIRE_SERVICE") == "1" else 0


def python(requirements: str) -> int:
    command = [
        ".venv/bin/pip-audit",
        "--requirement",
        requirements,
        "--disable-pip",
        "--require-hashes",
        "--format",
        "json",
        "--progress-spinner",
        "off",
    ]
    for advisory in IGNORED_PYTHON:
        command += ["--ignore-vuln", advisory]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        return unreachable("pip-audit", result.stderr or result.stdout)
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    if dependencies and len(skipped) == len(dependencies):
        return unreachable("pip-audit", skipped[0]["skip_reason"])
    findings = [(d, v) for d in dependencies for v in d.get("vulns", [])]
    for dependency, vuln in findings:
        fixed = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
        print(
            f"pip-audit: {dependency['name']} {dependency['version']}: "
            f"{vuln['id']} (fixed in {fixed})"
        )
    for dependency in skipped:
        print(
            f"pip-audit: {dependency['name']} not audited: {dependency['skip_reason']}"
        )
    audited = len(dependencies) - len(skipped)
    print(
        f"pip-audit: {audited} packages audited, {len(findings)} known vulnerabilities"
    )
    return 1 if findings or skipped else 0


def npm() -> int:
    result = subprocess.run(  # noqa: S603
        ["npm", "audit", "--omit=dev", "--json"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        return unreachable("npm audit", result.stderr or result.stdout)
    if "error" in report:
        return unreachable("npm audit", json.dumps(report["error"]))
    counts = report.get("metadata", {}).get("vulnerabilities", {})
    serious = {
        name: v
        for name, v in report.get("vulnerabilities", {}).items()
        if v.get("severity") in {"high", "critical"}
    }
    for name, vuln in serious.items():
        print(f"npm audit: {name}: {vuln['severity']} ({vuln.get('range', '')})")
    print(f"npm audit: {counts}")
    return 1 if serious else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["python"] and len(sys.argv) == 3:
        sys.exit(python(sys.argv[2]))
    if sys.argv[1:] == ["npm"]:
        sys.exit(npm())
    sys.exit("usage: audit_deps.py python REQUIREMENTS | npm")
