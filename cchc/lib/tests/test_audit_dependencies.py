"""The CI dependency audit fails on a production vulnerability and never passes silence off as
a clean bill: an unreachable vulnerability service is reported as "not audited"."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "audit_dependencies.py"


def audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(dependencies: list[dict], returncode: int = 0) -> tuple[int, str]:
    stdout = json.dumps({"dependencies": dependencies, "fixes": []})
    return audit().verdict(stdout, "", returncode, {"django", "pillow"})


def test_a_production_vulnerability_fails_the_build() -> None:
    code, report = run(
        [
            {
                "name": "Django",
                "version": "5.2.0",
                "vulns": [{"id": "PYSEC-1", "fix_versions": ["5.2.1"]}],
            },
            {"name": "pytest", "version": "9.0", "vulns": []},
        ],
        returncode=1,
    )
    assert code == 1
    assert "Django 5.2.0: PYSEC-1 (production; fixed in 5.2.1)" in report


def test_a_dev_only_vulnerability_is_reported_without_failing() -> None:
    code, report = run(
        [{"name": "pytest", "version": "9.0", "vulns": [{"id": "GHSA-x", "fix_versions": []}]}],
        returncode=1,
    )
    assert code == 0 and "GHSA-x (dev only" in report


def test_no_answer_for_any_package_says_nothing_was_audited() -> None:
    skipped = [
        {"name": n, "version": "1", "skip_reason": f"Dependency not found on PyPI: {n}"}
        for n in ("django", "pillow")
    ]
    code, report = run(skipped)
    assert code == 0
    assert "NOT AUDITED" in report and "no known vulnerability" not in report


def test_a_connection_failure_says_nothing_was_audited() -> None:
    stderr = "requests.exceptions.ConnectionError: Failed to resolve 'pypi.org'"
    code, report = audit().verdict("", stderr, 1, set())
    assert code == 0 and "NOT AUDITED" in report


def test_any_other_failure_of_the_tool_fails() -> None:
    code, report = audit().verdict("", "usage: pip-audit: unrecognized arguments", 2, set())
    assert code == 2


def test_a_clean_answer_says_how_many_packages_were_audited() -> None:
    code, report = run([{"name": "django", "version": "5.2.19", "vulns": []}])
    assert (code, report) == (0, "pip-audit: no known vulnerability in 1 packages")
