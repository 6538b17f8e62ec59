"""`make run` installs only requirements/base.lock: every third-party package the application's
own modules import must be there, or the embedded server fails at start on a fresh machine while
the tests (which also install the dev lock) pass. It happened once with `requests`."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _locked(lock: Path) -> set[str]:
    names = re.findall(r"^([A-Za-z0-9_.\-]+)==", lock.read_text(), flags=re.M)
    return {re.sub(r"[-_.]+", "-", n).lower() for n in names}


def _application_modules() -> list[Path]:
    skip = ("tests", "migrations")
    return [
        p
        for p in (ROOT / "cchc").rglob("*.py")
        if not set(p.relative_to(ROOT).parts) & set(skip)
        and p.name not in ("conftest.py", "testing.py")
    ]


def test_every_package_the_application_imports_is_in_the_base_lock() -> None:
    base = _locked(ROOT / "requirements" / "base.lock")
    owners = packages_distributions()
    missing: dict[str, set[str]] = {}
    for path in _application_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                tops = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops = [node.module.split(".")[0]]
            else:
                continue
            for top in tops:
                if top == "cchc" or top in sys.stdlib_module_names:
                    continue
                for dist in owners.get(top, [top]):
                    if re.sub(r"[-_.]+", "-", dist).lower() not in base:
                        missing.setdefault(dist, set()).add(str(path.relative_to(ROOT)))
    assert missing == {}
