"""Run every benchmark in bench/ (`bench_*.py`) but the load test, one after the other: `python bench/run.py`.

Each runs as its own process with its default sizes and prints its own figures and ratios.
`--quick` passes smaller sizes to the scripts that take them (see QUICK). Exits non-zero if
any benchmark did.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Arguments for a quick run, by script; a script not listed runs with its defaults.

QUICK: dict[str, list[str]] = {
    "bench_due_dates.py": ["--n", "100000", "--repeat", "1"],
    "bench_import_dossiers.py": ["--lines", "20000"],
    "bench_worklists.py": ["--dossiers", "50000", "--requests", "50"],
    "bench_receipt.py": ["--seconds", "5"],
    "bench_service_index.py": ["--dossiers", "50000", "--runs", "3"],
}
# Run on their own: the load test needs Locust (requirements/load.lock, not in the dev venv) and
# takes the machine for ten minutes; bench_scale.py repeats three of the others on 10,000,000
# dossiers (an hour).
SEPARATE = {"bench_load.py", "bench_scale.py"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test")
    args = parser.parse_args()
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        if script.name in SEPARATE:
            continue
        extra = QUICK.get(script.name, []) if args.quick else []
        print(f"\n=== {script.name} {' '.join(extra)}".rstrip(), flush=True)
        t0 = time.perf_counter()
        code = subprocess.call([sys.executable, str(script), *extra], cwd=HERE.parent)
        print(f"=== {script.name}: exit {code}, {time.perf_counter() - t0:.0f} s", flush=True)
        if code:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
