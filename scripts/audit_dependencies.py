"""CI step: known vulnerabilities in the pinned dependencies (pip-audit against PyPI's advisories).

Fails (exit 1) when a package of requirements/base.lock, what production runs, has a known
vulnerability; a dev-only package with one is reported without failing. When the vulnerability
service cannot be reached (a machine without access to pypi.org: pip-audit then reports every
package as "not found on PyPI", or fails to connect), it says plainly that nothing was audited
and does not fail the build: the absence of an answer is not a finding, and CI must still run
offline. A vulnerability accepted for a while is listed in PIP_AUDIT_IGNORE (ids, space
separated) with its reason in docs/security.md.

Usage: .venv/bin/python scripts/audit_dependencies.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = ROOT / "requirements" / "base.lock"
EVERYTHING = ROOT / "requirements" / "dev.lock"  # base.lock and the test tools

NETWORK_ERRORS = re.compile(
    r"ConnectionError|NameResolution|Max retries|timed out|Temporary failure|"
    r"Network is unreachable|Connection refused|SSLError",
    re.I,
)


def pinned(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==", line)
        if match:
            names.add(normalise(match.group(1)))
    return names


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def verdict(stdout: str, stderr: str, returncode: int, production: set[str]) -> tuple[int, str]:
    """(exit code, report) from one pip-audit run with `-f json`."""
    try:
        report = json.loads(stdout)
    except ValueError:
        if NETWORK_ERRORS.search(stderr):
            tail = stderr.strip().splitlines()[-1:] or [""]
            return 0, (
                "pip-audit: NOT AUDITED - the vulnerability service could not be reached from "
                f"this machine ({tail[0][:200]}). Not a failure: run it where pypi.org answers."
            )
        return 2, f"pip-audit failed (exit {returncode}):\n{stderr.strip()[-2000:]}"
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    found = [(d, v) for d in dependencies for v in d.get("vulns", [])]
    lines = []
    failing = False
    for dependency, vuln in found:
        in_production = normalise(dependency["name"]) in production
        failing = failing or in_production
        fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
        lines.append(
            f"  {dependency['name']} {dependency['version']}: {vuln['id']} "
            f"({'production' if in_production else 'dev only'}; fixed in {fixes})"
        )
    if found:
        lines.insert(0, f"pip-audit: {len(found)} known vulnerabilities")
    if dependencies and len(skipped) == len(dependencies):
        lines.append(
            f"pip-audit: NOT AUDITED - none of the {len(dependencies)} packages got an answer "
            f"from the vulnerability service (e.g. {skipped[0]['skip_reason']}): this machine "
            "cannot reach pypi.org. Not a failure: run it where pypi.org answers."
        )
    elif skipped:
        names = ", ".join(sorted(d["name"] for d in skipped))
        lines.append(f"pip-audit: {len(skipped)} packages could not be audited: {names}")
    if not found and len(skipped) < len(dependencies):
        lines.append(
            f"pip-audit: no known vulnerability in {len(dependencies) - len(skipped)} packages"
        )
    return (1 if failing else 0), "\n".join(lines)


def main() -> int:
    ignored = os.environ.get("PIP_AUDIT_IGNORE", "").split()
    command = [
        sys.executable, "-m", "pip_audit",
        "-r", str(EVERYTHING),
        "--no-deps", "--disable-pip",  # every version is pinned: nothing to resolve
        "--progress-spinner", "off",
        "-f", "json",
        *[arg for vuln in ignored for arg in ("--ignore-vuln", vuln)],
    ]  # fmt: skip
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        print("pip-audit: NOT AUDITED - no answer from the vulnerability service in 10 minutes.")
        return 0
    code, report = verdict(run.stdout, run.stderr, run.returncode, pinned(PRODUCTION))
    print(report)
    return code


if __name__ == "__main__":
    sys.exit(main())
