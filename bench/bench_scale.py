"""Issue 11's scale benchmark in one command: `python bench/bench_scale.py [--dossiers 10000000]`.

One province of N dossiers over 5 years (default 10,000,000), generated once, and on it:
1. `bench_reports.py --dossiers N --keep`: generates the database `cchc_bench_reports` with the
   platform's generator (rows per second), then Biểu 06 for the whole province for one year
   against one sequential scan of the dossier table (target ratio < 0.2);
2. `bench_service_index.py --database cchc_bench_reports`: the service index of every unit for
   one month against the same scan (target ratio < 0.2);
3. `bench_worklists.py --database cchc_bench_reports`: the worklists and the dossier page (target
   p95 under 100 ms).
Then drops the database (unless --keep). `--reuse` skips step 1's generation when a kept
database is there. Each step prints its own figures; docs/performance.md records them. Exits
non-zero if any step missed its target.

10,000,000 dossiers take about an hour to generate and index on the 2-core development machine
and about 20 GB of disk.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import drop_database

HERE = Path(__file__).resolve().parent

DB_NAME = "cchc_bench_reports"  # what bench_reports.py creates


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dossiers", type=int, default=10_000_000, help="default 10,000,000")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database again")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--requests", type=int, default=100, help="worklist requests per page")
    args = parser.parse_args()

    reports = ["--dossiers", str(args.dossiers), "--repeat", "5", "--keep"]
    steps = [
        ("bench_reports.py", reports + (["--reuse"] if args.reuse else [])),
        ("bench_service_index.py", ["--database", DB_NAME]),
        ("bench_worklists.py", ["--database", DB_NAME, "--requests", str(args.requests)]),
    ]
    failed = []
    for script, options in steps:
        print(f"\n=== {script} {' '.join(options)}", flush=True)
        t0 = time.perf_counter()
        code = subprocess.call([sys.executable, str(HERE / script), *options], cwd=HERE.parent)
        print(f"=== {script}: exit {code}, {time.perf_counter() - t0:.0f} s", flush=True)
        if code:
            failed.append(script)
    if not args.keep:
        drop_database(DB_NAME)
    if failed:
        print(f"\ntarget missed or failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
