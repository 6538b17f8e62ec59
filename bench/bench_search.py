"""Catalogue search over 2,000 procedures, on SQLite and PostgreSQL: `python bench/bench_search.py`.

1. For each database (a temporary SQLite file; PostgreSQL `cchc_bench_search` on BENCH_PG_URL,
   dropped first and after, when reachable), in its own process: migrate, create the cache
   table, import the demo units and the 51 demo procedures, then add generated variants up to
   N procedures (default 2,000): the demo names combined with wordings the national catalogue
   really uses ("Cấp lại …", "… có yếu tố nước ngoài", "… đối với tổ chức"…), in the demo
   fields and in a few more, each with two of its model's keywords. Every commune implements
   the demo procedures as the demo says, and one in three of the variants.
2. Times, through Django's test `Client` in that process (server time: request to response,
   template rendering included), ~50 citizen queries × R repeats (default 10) on
      the API       `GET /api/v1/procedures?q=…` (and with `&unit=16300`),
      the page      `GET /thu-tuc/?q=…`,
   and, as the baseline in the same run, the same API and page without `q` and `/bench/ok/`.
   The first search after a change rebuilds the process's index: its time is printed apart
   (and the timed requests start on a built index, as they would in a running server).
3. Prints p50/p95 per endpoint, p95 / baseline p95, and checks every search p95 < 50 ms.
   Checks that both databases return the same codes in the same order for every query.

Options: --procedures N, --repeat R, --sqlite-only, --keep (leave the PostgreSQL database).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, drop_database, percentile, recreate_database, setup_django, table

DB_NAME = "cchc_bench_search"
TARGET_MS = 50.0

QUERIES = [
    "dang ky khai sinh",
    "giấy khai sinh",
    "khai sinh cho con",
    "KHAI SINH",
    "dăng ký khai sinh",
    "dang ki khai sinh",
    "khai sinh dang ky",
    "dang ky khai sihn",
    "làm khai sinh cho bé",
    "chung thuc ban sao",
    "sao y bản chính",
    "photo công chứng cccd",
    "công chứng giấy tờ",
    "chứng thực chữ ký",
    "công chứng chữ ký",
    "đăng ký kết hôn",
    "cưới vợ",
    "giay ket hon",
    "kết hôn với người nước ngoài",
    "khai tử",
    "báo tử",
    "làm giấy chứng tử",
    "xin giấy xác nhận độc thân",
    "xac nhan tinh trang hon nhan",
    "trợ cấp xã hội",
    "lương hưu xã hội",
    "trợ cấp người khuyết tật",
    "giấy phép xây dựng",
    "xin phép xây nhà",
    "gia hạn giấy phép xây dựng",
    "làm sổ đỏ",
    "hộ nghèo",
    "hỗ trợ mai táng",
    "thờ cúng liệt sỹ",
    "khoan giếng",
    "đăng ký lại khai sinh",
    "mất giấy khai sinh",
    "đổi tên con",
    "tranh chấp đất với hàng xóm",
    "chia thừa kế",
    "giay xac nhan khuyet tat",
    "hòa giải viên",
    "gia đình văn hóa",
    "câu lạc bộ bóng đá",
    "lễ hội đình",
    "chuyển đổi cây trồng",
    "giám hộ",
    "nhận cha con",
    "dang ky",
    "1.001193",
    "xyzzy qwerty",
]

# Wordings of the national catalogue that make a variant of a procedure.
PREFIXES = ["Cấp lại", "Điều chỉnh", "Gia hạn", "Hủy bỏ", "Xác nhận", "Đính chính"]
SUFFIXES = [
    "có yếu tố nước ngoài",
    "đối với tổ chức",
    "đối với cá nhân",
    "trên môi trường điện tử",
    "theo hình thức liên thông",
    "tại Ủy ban nhân dân cấp xã",
    "cho người đang cư trú ở nước ngoài",
    "trong trường hợp đặc biệt",
]
EXTRA_FIELDS = [
    ("lao-dong", "Lao động, việc làm"),
    ("y-te", "Y tế"),
    ("giao-thong", "Giao thông vận tải"),
    ("nong-nghiep", "Nông nghiệp"),
]


# -- one database, in its own process ----------------------------------------------------------


def build_catalogue(total: int) -> None:
    import datetime as dt

    from django.core.management import call_command

    from cchc.catalogue.models import Field, Procedure, ProcedureVersion, UnitProcedure
    from cchc.lib.text import fold
    from cchc.units.models import Unit

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("import_units", str(ROOT / "cchc/units/demo/units.csv"), verbosity=0)
    call_command("import_catalogue", str(ROOT / "cchc/catalogue/demo/catalogue.json"), verbosity=0)
    for code, name in EXTRA_FIELDS:
        Field.objects.get_or_create(code=code, defaults={"name": name})
    fields = list(Field.objects.order_by("code"))
    models = list(ProcedureVersion.objects.select_related("procedure").order_by("procedure__code"))
    wordings = [(p, "") for p in PREFIXES] + [("", s) for s in SUFFIXES]
    wordings += [(p, s) for p in PREFIXES for s in SUFFIXES]
    procedures: list[Procedure] = []
    keywords: list[str] = []
    n = 0
    for prefix, suffix in wordings:
        for model in models:
            if len(procedures) + len(models) >= total:
                break
            name = model.name
            if prefix:
                name = f"{prefix} {name[0].lower()}{name[1:]}"
            if suffix:
                name = f"{name} {suffix}"
            field = fields[n % len(fields)] if n % 4 == 3 else model.procedure.field
            words = "; ".join(model.keywords.split("; ")[n % 3 : n % 3 + 2])
            n += 1
            procedures.append(
                Procedure(
                    code=f"9.{n:06d}",
                    field=field,
                    authority_level="commune",
                    name=name,
                    # As Procedure.refresh_denormalised writes it.
                    search_text=fold(" ".join([f"9.{n:06d}", name, words, field.name])),
                )
            )
            keywords.append(words)
    Procedure.objects.bulk_create(procedures, batch_size=500)
    created = {p.code: p for p in Procedure.objects.filter(code__startswith="9.")}
    ProcedureVersion.objects.bulk_create(
        [
            ProcedureVersion(
                procedure=created[p.code],
                effective_from=dt.date(2025, 7, 1),
                name=p.name,
                time_unit="working_days",
                online_service="partial",
                keywords=words,
            )
            for p, words in zip(procedures, keywords, strict=True)
        ],
        batch_size=500,
    )
    communes = list(Unit.objects.filter(kind="commune"))
    UnitProcedure.objects.bulk_create(
        [
            UnitProcedure(unit=unit, procedure=created[p.code], implemented=True)
            for i, p in enumerate(procedures)
            for unit in communes
            if i % 3 == 0
        ],
        batch_size=1000,
    )


def time_requests(client: Any, paths: list[str], repeat: int) -> tuple[list[float], int]:
    """Server times in ms of each path, `repeat` rounds, and the number of SQL queries of one."""
    from django.db import connection, reset_queries

    times: list[float] = []
    for _ in range(repeat):
        for path in paths:
            t0 = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path}: HTTP {response.status_code}")
    from django.conf import settings

    settings.DEBUG = True
    reset_queries()
    client.get(paths[0])
    queries = len(connection.queries)
    settings.DEBUG = False
    return times, queries


def run_one(db_url: str, total: int, repeat: int) -> dict[str, Any]:
    os.environ["RATELIMIT_ENABLE"] = "0"  # measure the search, not the abuse limits
    setup_django(db_url)
    from urllib.parse import urlencode

    from django.test import Client

    from cchc.catalogue import search
    from cchc.catalogue.models import Procedure

    t0 = time.perf_counter()
    build_catalogue(total)
    load_s = time.perf_counter() - t0
    count = Procedure.objects.count()

    client = Client()
    t0 = time.perf_counter()
    client.get("/api/v1/procedures?" + urlencode({"q": "khai sinh"}))
    first_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    search.build_index("bench")
    build_ms = (time.perf_counter() - t0) * 1000

    api = ["/api/v1/procedures?" + urlencode({"q": q}) for q in QUERIES]
    api_unit = ["/api/v1/procedures?" + urlencode({"q": q, "unit": "16300"}) for q in QUERIES]
    page = ["/thu-tuc/?" + urlencode({"q": q}) for q in QUERIES]
    baselines = {
        "baseline: /bench/ok/": ["/bench/ok/"],
        "baseline: API, no q": ["/api/v1/procedures"],
        "baseline: page, no q": ["/thu-tuc/"],
    }
    rows: dict[str, dict[str, float]] = {}
    for label, paths in {
        **baselines,
        "API ?q=": api,
        "API ?q=&unit=16300": api_unit,
        "page /thu-tuc/?q=": page,
    }.items():
        rounds = repeat * len(QUERIES) // len(paths) if len(paths) == 1 else repeat
        client.get(paths[0])  # warm
        times, queries = time_requests(client, paths, rounds)
        rows[label] = {
            "n": len(times),
            "p50": percentile(times, 50),
            "p95": percentile(times, 95),
            "max": max(times),
            "queries": queries,
        }
    # The search alone, and what it found, to compare the two databases.
    found: dict[str, list[str]] = {}
    alone: list[float] = []
    for _ in range(repeat):
        for q in QUERIES:
            t0 = time.perf_counter()
            codes = list(
                search.search_procedures(Procedure.objects.all(), q).values_list("code", flat=True)
            )
            alone.append((time.perf_counter() - t0) * 1000)
            found[q] = codes
    rows["search_procedures() alone, all codes"] = {
        "n": len(alone),
        "p50": percentile(alone, 50),
        "p95": percentile(alone, 95),
        "max": max(alone),
        "queries": 3,
    }
    return {
        "procedures": count,
        "load_s": load_s,
        "first_ms": first_ms,
        "build_ms": build_ms,
        "rows": rows,
        "found": found,
    }


# -- the parent: one child per database, then the report ---------------------------------------


def child(db_url: str, args: argparse.Namespace) -> dict[str, Any] | None:
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    command = [
        sys.executable,
        __file__,
        "--child",
        db_url,
        "--out",
        str(out),
        "--procedures",
        str(args.procedures),
        "--repeat",
        str(args.repeat),
    ]
    code = subprocess.call(command, cwd=ROOT)
    try:
        return json.loads(out.read_text()) if code == 0 else None
    finally:
        out.unlink(missing_ok=True)


def report(name: str, result: dict[str, Any]) -> bool:
    rows = result["rows"]
    base = rows["baseline: /bench/ok/"]["p95"]
    print(
        f"\n{name}: {result['procedures']} procedures (built in {result['load_s']:.1f} s); "
        f"first search, index build included: {result['first_ms']:.0f} ms; "
        f"index build alone: {result['build_ms']:.0f} ms"
    )
    lines = []
    ok = True
    for label, r in rows.items():
        searching = "?q=" in label or "alone" in label
        verdict = ""
        if searching:
            verdict = "ok" if r["p95"] < TARGET_MS else "OVER"
            ok &= r["p95"] < TARGET_MS
        lines.append(
            [
                label,
                r["n"],
                f"{r['p50']:.1f}",
                f"{r['p95']:.1f}",
                f"{r['max']:.1f}",
                f"{r['p95'] / base:.1f}",
                r["queries"],
                verdict,
            ]
        )
    print(
        table(
            ["requests", "n", "p50 ms", "p95 ms", "max ms", "p95 / ok p95", "SQL", "< 50 ms"],
            lines,
        )
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--procedures", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = run_one(args.child, args.procedures, args.repeat)
        Path(args.out).write_text(json.dumps(result))
        return 0

    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = child(f"sqlite:///{tmp}/bench_search.sqlite3", args)
        if sqlite is None:
            return 1
        results["SQLite"] = sqlite
    if not args.sqlite_only:
        try:
            url = recreate_database(DB_NAME)
        except Exception as exc:  # any failure means: no PostgreSQL here
            print(f"PostgreSQL not reachable ({exc.__class__.__name__}); SQLite only.")
        else:
            try:
                pg = child(url, args)
            finally:
                if not args.keep:
                    drop_database(DB_NAME)
            if pg is None:
                return 1
            results["PostgreSQL"] = pg

    ok = all([report(name, r) for name, r in results.items()])
    first = {q: codes[:3] for q, codes in results["SQLite"]["found"].items()}
    print("\nFirst results (SQLite):")
    for q, codes in first.items():
        print(f"  {q!r}: {', '.join(codes) or '—'} ({len(results['SQLite']['found'][q])} found)")
    if "PostgreSQL" in results:
        differ = [
            q for q in QUERIES if results["SQLite"]["found"][q] != results["PostgreSQL"]["found"][q]
        ]
        print(
            f"\nSQLite and PostgreSQL: same codes in the same order for "
            f"{len(QUERIES) - len(differ)} / {len(QUERIES)} queries"
        )
        for q in differ:
            print(f"  differs: {q!r}")
        ok &= not differ
    print(f"\n{'PASS' if ok else 'FAIL'}: every search p95 under {TARGET_MS:.0f} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
