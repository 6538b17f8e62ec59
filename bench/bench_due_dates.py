"""Due-date speed against numpy.busday_offset: `python bench/bench_due_dates.py [--n N]`.

Computes N (default 1,000,000) due dates in working days for random receipts in 2023–2030 with
random durations, once with cchc.worktime.deadlines and once with numpy.busday_offset on the same
days off (the rule-computed holidays of 2023–2045, without make-up days, which numpy cannot
express), checks that every answer is identical, and prints the times and ratios:

- single calls: one Python call per receipt on each side. Ours takes an aware datetime and
  returns an aware datetime (17:00+07:00); numpy gets its fastest scalar input (datetime64[D]
  and a prebuilt busdaycalendar) and returns a date. Target: ratio <= 1.5.
- bulk, arrays: due_dates_array vs numpy.busday_offset on whole arrays.
- bulk, lists of datetimes: due_many (what an import or a report calls) vs the same work done
  with numpy (dates out of the datetimes, busday_offset on the array, closing datetimes back).

No database and no Django settings are needed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from cchc.worktime.deadlines import (
    TZ,
    Duration,
    WorkCalendar,
    due_dates_array,
    due_in_working_days,
    due_many,
)
from cchc.worktime.rules import computed_days


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--n", type=int, default=1_000_000, help="due dates to compute (default 1,000,000)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per measurement; the best is kept"
    )
    parser.add_argument(
        "--max-days", type=int, default=120, help="durations are 1..max-days working days"
    )
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()

    days_off = sorted(
        {
            row.date
            for year in range(2023, 2046)
            for row in computed_days(year)
            if row.kind != "makeup_working"
        }
    )
    cal = WorkCalendar(days_off=days_off, label="bench: computed 2023-2045, no make-up days")
    busdaycal = np.busdaycalendar(holidays=np.array(days_off, dtype="datetime64[D]"))

    rng = random.Random(args.seed)
    first = dt.datetime(2023, 1, 1, tzinfo=TZ).timestamp()
    last = dt.datetime(2030, 12, 31, 23, 59, tzinfo=TZ).timestamp()
    starts = [dt.datetime.fromtimestamp(rng.uniform(first, last), TZ) for _ in range(args.n)]
    counts = [rng.randint(1, args.max_days) for _ in range(args.n)]
    scalar_days = [np.datetime64(s.date(), "D") for s in starts]
    day_array = np.array(scalar_days, dtype="datetime64[D]")
    count_array = np.array(counts, dtype=np.int64)
    durations = {n: Duration.working_days(n) for n in set(counts)}
    duration_list = [durations[n] for n in counts]

    def ours_single() -> list[dt.datetime]:
        f = due_in_working_days
        return [f(s, n, cal) for s, n in zip(starts, counts, strict=True)]

    def numpy_single() -> list[Any]:
        f = np.busday_offset
        return [
            f(d, n, roll="backward", busdaycal=busdaycal)
            for d, n in zip(scalar_days, counts, strict=True)
        ]

    def ours_array() -> Any:
        return due_dates_array(day_array, count_array, cal)

    def numpy_array() -> Any:
        return np.busday_offset(day_array, count_array, roll="backward", busdaycal=busdaycal)

    def ours_list() -> list[dt.datetime]:
        return due_many(starts, duration_list, cal)

    def numpy_list() -> list[dt.datetime]:
        local_days = np.array([s.astimezone(TZ).date() for s in starts], dtype="datetime64[D]")
        answers = np.busday_offset(local_days, count_array, roll="backward", busdaycal=busdaycal)
        close = dt.time(17, 0)
        return [dt.datetime.combine(d, close, TZ) for d in answers.astype(object)]

    print(
        f"{args.n:,} due dates, durations 1–{args.max_days} working days, receipts 2023–2030, best of {args.repeat}"
    )
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}")

    t_ours, r_ours = best_of(args.repeat, ours_single)
    t_np, r_np = best_of(args.repeat, numpy_single)
    same = sum(a.date() == b.astype(dt.date) for a, b in zip(r_ours, r_np, strict=True))
    assert all(a.timetz() == dt.time(17, 0, tzinfo=TZ) for a in r_ours[:1000])
    print("\nsingle calls")
    print(f"  cchc  due_in_working_days : {t_ours:7.3f} s  ({t_ours / args.n * 1e6:.2f} µs/call)")
    print(f"  numpy busday_offset       : {t_np:7.3f} s  ({t_np / args.n * 1e6:.2f} µs/call)")
    print(f"  ratio cchc/numpy          : {t_ours / t_np:7.2f}   (target <= 1.5)")
    print(f"  identical answers         : {same:,}/{args.n:,}")

    t_oa, r_oa = best_of(args.repeat, ours_array)
    t_na, r_na = best_of(args.repeat, numpy_array)
    same_a = int((r_oa == r_na).sum())
    print("\nbulk, arrays")
    print(f"  cchc  due_dates_array     : {t_oa * 1e3:7.1f} ms")
    print(f"  numpy busday_offset       : {t_na * 1e3:7.1f} ms")
    print(f"  ratio cchc/numpy          : {t_oa / t_na:7.2f}")
    print(f"  identical answers         : {same_a:,}/{args.n:,}")

    t_ol, r_ol = best_of(args.repeat, ours_list)
    t_nl, r_nl = best_of(args.repeat, numpy_list)
    same_l = sum(a == b for a, b in zip(r_ol, r_nl, strict=True))
    print("\nbulk, lists of aware datetimes")
    print(f"  cchc  due_many            : {t_ol:7.3f} s  ({t_ol / args.n * 1e6:.2f} µs/item)")
    print(f"  numpy (convert+offset+back): {t_nl:7.3f} s  ({t_nl / args.n * 1e6:.2f} µs/item)")
    print(f"  ratio cchc/numpy          : {t_ol / t_nl:7.2f}")
    print(f"  identical answers         : {same_l:,}/{args.n:,}")

    ok = same == same_a == same_l == args.n
    print("\nall answers identical" if ok else "\nANSWERS DIFFER")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
