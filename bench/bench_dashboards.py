"""Server time of the dashboards and the public results page on the demo, as `make run` loads it.

    python bench/bench_dashboards.py [--requests 15] [--history 3000] [--data-dir DIR]

A fresh SQLite demo (migrate, load_demo; with --history N, `generate_demo --dossiers N --years 1`
on top of it: a year of history in about ten more communes; then the report tables swept and the
service index's snapshot brought up to date, as the worker would) in a temporary folder, or in
--data-dir when that folder holds no database yet; a --data-dir already loaded is measured as it
is (so two versions of the code can be measured on the same data). Each page is asked `--requests` times "cold" (the
per-process cache emptied first: every figure counted and every chart drawn again) and "warm"
(a later visit while nothing changed: the figures from the cache). Prints wall-clock and CPU time
(SQLite runs in this process, so CPU time is the server time an idle machine would show), the
queries and the page's weight. Target: under 300 ms.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    ("lanhdao.ngason", "/lam-viec/", "leader's dashboard, commune"),
    ("giamsat.tinh", "/lam-viec/", "supervisor's dashboard, province"),
    (None, "/don-vi/16300/ket-qua-giai-quyet/", "public results page"),
]


def load_demo(data_dir: Path, history: int = 0) -> None:
    env = {**os.environ, "DATA_DIR": str(data_dir), "REPORTS_SWEEP_LAG_SECONDS": "0"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    steps = [["migrate", "--noinput", "-v0"], ["load_demo"]]
    if history:
        steps.append(["generate_demo", "--dossiers", str(history), "--years", "1"])
    # The worker's sweeps: the report tables, then the service index's daily snapshot (its
    # first sweep counts back to the first record's month, at most 13 months).
    steps += [["refresh_reports"], ["refresh_service_index"]]
    for args in steps:
        subprocess.run([*manage, *args], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def measure(requests: int) -> None:
    # Static files are served from the app folders here, not from a collected folder.
    warnings.filterwarnings("ignore", message="No directory at")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cchc.accounts.models import User

    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    def run(client: Client, url: str, *, cold: bool) -> tuple[list[float], list[float], int, str]:
        wall, cpu, queries, html = [], [], 0, ""
        for _ in range(requests):
            if cold:
                caches["local"].clear()
            with CaptureQueriesContext(connection) as captured:
                t, p = time.perf_counter(), time.process_time()
                response = client.get(url)
                wall.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - p) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries, html = len(captured), response.content.decode()
        return sorted(wall), sorted(cpu), queries, html

    def p95(values: list[float]) -> float:
        return values[int(0.95 * (len(values) - 1))]

    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"{'page':34} {'':5} {'cpu median':>10} {'cpu p95':>8} {'wall median':>11} {'wall p95':>9} {'queries':>8}"
    )
    for username, url, label in PAGES:
        client = Client()
        if username:
            user = User.objects.get(username=username)
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        client.get(url)
        for cold in (True, False):
            wall, cpu, queries, html = run(client, url, cold=cold)
            print(
                f"{label:34} {'cold' if cold else 'warm':5} {statistics.median(cpu):8.0f} ms "
                f"{p95(cpu):5.0f} ms {statistics.median(wall):9.0f} ms {p95(wall):6.0f} ms {queries:8}"
            )
        parts = [html.encode()]
        for asset in re.findall(r'href="/static/([^"]+\.css)"', html):
            with open(str(finders.find(asset)), "rb") as f:
                parts.append(f.read())
        charts = re.findall(r'src="data:image/svg\+xml;charset=utf-8,([^"]+)"', html)
        print(
            f"{'':34} weight {sum(map(len, parts)):,} bytes "
            f"({sum(len(gzip.compress(p)) for p in parts):,} gzipped), "
            f"{len(charts)} charts of {min(map(len, charts), default=0):,}–"
            f"{max(map(len, charts), default=0):,} bytes"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument(
        "--history", type=int, default=0, help="dossiers of a year of history added to the demo"
    )
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-dashboards-") as tmp:
        data_dir = args.data_dir or Path(tmp)
        if not (data_dir / "cchc.sqlite3").exists():
            load_demo(data_dir, args.history)
        os.environ["DATA_DIR"] = str(data_dir)
        os.environ["REPORTS_SWEEP_LAG_SECONDS"] = "0"
        measure(args.requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
