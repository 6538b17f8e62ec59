"""Create .venv with a working pip, also on Debian/Ubuntu where python3-venv (ensurepip) is
missing: then the venv is made without pip and pip is installed from its wheel on PyPI."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import urllib.request
import venv
from pathlib import Path


def main(target: str) -> None:
    path = Path(target)
    python = path / "bin" / "python"
    if (
        python.exists()
        and subprocess.run([python, "-m", "pip", "--version"], capture_output=True).returncode == 0
    ):
        return
    try:
        venv.create(path, with_pip=True, clear=True)
        return
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"ensurepip unavailable ({exc}); installing pip from PyPI", file=sys.stderr)
    venv.create(path, with_pip=False, clear=True)
    with urllib.request.urlopen("https://pypi.org/pypi/pip/json", timeout=60) as response:
        release = json.load(response)
    wheel = next(u for u in release["urls"] if u["filename"].endswith(".whl"))
    with tempfile.TemporaryDirectory() as tmp:
        wheel_path = Path(tmp) / wheel["filename"]
        urllib.request.urlretrieve(wheel["url"], wheel_path)
        # A wheel is a zip that Python can run from directly: pip installs itself.
        subprocess.run(
            [python, f"{wheel_path}/pip", "install", "--quiet", str(wheel_path)], check=True
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".venv")
