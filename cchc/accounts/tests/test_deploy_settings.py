"""The documented production settings: `.env.example` can be sourced the way docs/deploy.md does,
and `manage.py check --deploy` finds nothing to say about them."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ENV_EXAMPLE = ROOT / ".env.example"

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def sourced(command: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `command` in bash after `set -a; . .env.example; set +a` (docs/deploy.md, step 4)."""
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **(extra or {})}
    script = f"set -euo pipefail; set -a; . {ENV_EXAMPLE}; set +a; {command}"
    return subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )


def documented() -> dict[str, str]:
    """Each KEY=value line as written, quotes removed."""
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^([A-Z_]+)=(.*)$", line)
        if match:
            value = match.group(2)
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            values[match.group(1)] = value
    return values


def test_the_example_sources_without_errors_and_keeps_every_value() -> None:
    values = documented()
    assert values["OTP_TOTP_ISSUER"] == "CCHC Thanh Hoa"
    names = " ".join(values)
    shown = sourced(f'for n in {names}; do printf "%s=%s\\0" "$n" "${{!n}}"; done')
    assert shown.returncode == 0 and shown.stderr == "", shown.stderr
    seen = dict(item.split("=", 1) for item in shown.stdout.split("\0") if item)
    assert seen == values


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path: Path) -> None:
    # The one value to generate (docs/deploy.md, step 3); the rest exactly as documented.
    result = sourced(
        f"SECRET_KEY={secrets.token_urlsafe(50)} DATA_DIR={tmp_path} "
        f"{sys.executable} manage.py check --deploy --fail-level WARNING"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr
