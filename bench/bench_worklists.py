"""Worklist and dossier pages on a large PostgreSQL database: `python bench/bench_worklists.py`.

1. Creates the database `cchc_bench_worklists` (dropped first if it exists), migrates it and
   loads the demo (`load_demo`: one province, ten communes, the catalogue, the demo staff).
2. Generates N dossiers (default 1,000,000) with set-based SQL (`INSERT … SELECT` over
   `generate_series`, no ORM row by row): spread evenly over the ten communes, over the
   procedures they implement (same-day ones weighted ×3), over the working days from
   01/01/2024 to yesterday, at office hours. The status mix: about 92.8 % returned, 1.8 %
   withdrawn, stopped or refused, 1.6 % resolved but not returned (half of them old: the "never
   closed" list), 3.2 % open (received, processing, supplement, payment: about a quarter
   overdue, some due today or within three working days), 0.6 % submitted online or incomplete.
   The reporting columns agree with each other: due moments come from the real calendar
   (`cchc.worktime.deadlines.due`, computed once per day and duration), `outcome` is judged
   from `finished_at` against `due_at`, `returned_at` follows `finished_at`, codes are
   `<agency>-YYMMDD-NNNN` numbered per receiving unit and day (and `DossierCounter` agrees).
   One dossier in ten, and every open one, also gets its steps, events and documents.
   Then VACUUM ANALYZE.
3. Logs in, with Django's test `Client` in this process (server time: from the request to the
   response, template rendering included), as a reception officer of one commune
   (`tiepnhan.ngason`, 16300) and as the province's supervisor (`giamsat.tinh`, sees every
   commune), and times, repeatedly: each worklist's first page, a deep page (a cursor 500 pages
   down, or as deep as the list goes) of "finished" and "open", a search by phone and by code
   in "open" and in "finished", and the dossier page of random dossiers.
4. Baseline in the same run: `/bench/ok/`, a bare `JsonResponse` behind the same middleware
   through the same client (measured before and after, pooled). Prints p50/p95 per page, the
   queries each costs, and p95 / baseline p95. Target: every p95 under 100 ms. For any page
   over it, prints where its time goes and EXPLAIN ANALYZE of its slowest query.

Options: --dossiers N, --requests R (per page, default 200), --budget S (seconds per page,
default 10; at least 10 requests are timed), --keep (leave the database for inspection),
--proposed-indexes (measure with the indexes docs/performance.md recommends; not the schema).
--database NAME measures a database generated before instead (bench_scale.py runs it on the
10,000,000 dossiers `bench_reports.py --keep` leaves): steps 1–2 are skipped and it is not dropped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    database_url,
    drop_database,
    percentile,
    recreate_database,
    setup_django,
    table,
)

DB_NAME = "cchc_bench_worklists"
TZ_NAME = "Asia/Ho_Chi_Minh"
TARGET_MS = 100.0
EXPLAIN_FROM_MS = 20.0
MIN_REQUESTS = 10
OPEN = ("received", "processing", "supplement", "payment")
FINISHED = ("returned", "withdrawn", "stopped", "refused")
PERSONAS = [
    ("reception 16300", "tiepnhan.ngason"),
    ("province supervisor", "giamsat.tinh"),
]
DEEP_PAGES = 500
PAGE_SIZE = 50  # cchc.dossiers.views.PAGE_SIZE

# -- data generation ----------------------------------------------------------------------------

# Columns of dossiers_dossier this generator fills; any other NOT NULL column without a default
# (added by a later migration) stops the run with a clear message instead of a failed INSERT.
DOSSIER_COLUMNS = """
    code, row_version, status, channel, return_method, applicant_kind, applicant_name,
    applicant_id_number, applicant_phone, applicant_email, applicant_address, submitted_at,
    received_at, clock_started_at, original_due_at, due_at, rescheduled_at,
    supplement_requested_at, supplement_count, supplement_wait, payment_requested_at,
    payment_wait, fee_due_vnd, fee_paid_vnd, finished_at, end_type, outcome, returned_at,
    result_digital, postal_tracking, external_id, created_at, updated_at, assignee_id, field_id,
    procedure_id, procedure_version_id, processing_unit_id, received_by_id, receiving_unit_id,
    applicant_name_folded, sets, cross_boundary, reschedule_count
"""

# `cchc.lib.text.fold` in SQL for the generated names (lower case, diacritics and đ dropped): the
# names are drawn from the lists below, whose letters are all in this table.
_VI_LETTERS = "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ"
_ASCII_LETTERS = "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"


# One row per dossier. Layer g draws the random numbers (materialised once: random() is
# volatile, so PostgreSQL never pulls g up and re-evaluates it); b picks the status, unit and
# time of day; c joins the procedure, the receipt day and its due moment (from the calendar);
# e derives the moments; f the judgements; the outer SELECT numbers the codes per receiving
# unit and day, and the rows are inserted in submission order (ids grow with time).
GENERATE_DOSSIERS = f"""
INSERT INTO dossiers_dossier ({DOSSIER_COLUMNS})
SELECT
    ru.agency || '-' || to_char(f.submitted_at AT TIME ZONE '{TZ_NAME}', 'YYMMDD') || '-'
        || lpad(row_number() OVER (
            PARTITION BY f.recv_idx, (f.submitted_at AT TIME ZONE '{TZ_NAME}')::date
            ORDER BY f.submitted_at, f.i)::text, 4, '0'),
    f.row_version, f.st, f.channel, f.return_method,
    CASE WHEN f.r_id > 0.97 THEN 'organisation' ELSE 'person' END,
    (ARRAY['Nguyễn','Trần','Lê','Phạm','Hoàng','Vũ','Đặng','Bùi','Đỗ','Ngô','Hồ','Dương',
           'Lý','Mai'])[1 + floor(f.r_name * 14)::int]
        || ' ' || (ARRAY['Văn','Thị','Đức','Minh','Ngọc','Thanh','Hữu','Quang'])
            [1 + floor(f.r_name * 14000)::int %% 8]
        || ' ' || (ARRAY['An','Bình','Cường','Dũng','Giang','Hà','Hải','Hạnh','Hoa','Hùng',
                         'Lan','Linh','Long','Mai','Nam','Phương','Quân','Sơn','Thảo','Tuấn'])
            [1 + floor(f.r_name * 1400000)::int %% 20],
    '038' || lpad(floor(f.r_id * 1e9)::bigint::text, 9, '0'),
    '09' || lpad(floor(f.r_phone * 1e8)::bigint::text, 8, '0'),
    CASE WHEN f.r_id < 0.2 THEN 'nguoinop' || f.i || '@example.vn' ELSE '' END,
    'Thôn ' || (1 + f.i %% 12) || ', ' || pu.name,
    f.submitted_at, f.received_at, f.received_at, f.original_due_at, f.due_at, f.rescheduled_at,
    f.supplement_requested_at, f.supplement_count, f.supplement_wait, f.payment_requested_at,
    NULL, f.fee_due, CASE WHEN f.st IN ('resolved', 'returned') THEN f.fee_due ELSE 0 END,
    f.finished_at, f.end_type, f.outcome, f.returned_at, f.channel = 'online_full',
    CASE WHEN f.channel = 'postal' AND f.st = 'returned'
         THEN 'EB' || lpad(f.i::text, 9, '0') || 'VN' ELSE '' END,
    NULL, f.submitted_at,
    GREATEST(f.submitted_at, COALESCE(f.returned_at, f.finished_at, f.payment_requested_at,
             f.supplement_requested_at, f.received_at, f.submitted_at)) + interval '1 second',
    CASE WHEN f.st = 'received' THEN pu.reception_id
         WHEN f.st IN ('processing', 'supplement', 'payment') THEN pu.specialist_id END,
    f.field_id, f.procedure_id, f.version_id, pu.unit_id,
    CASE WHEN f.received_at IS NOT NULL THEN ru.reception_id END, ru.unit_id,
    '', 1, false, 0
FROM (
    SELECT e.*,
        CASE WHEN e.st IN ('resolved', 'returned') THEN
            CASE WHEN (e.finished_at AT TIME ZONE '{TZ_NAME}')::date
                      < (e.due_at AT TIME ZONE '{TZ_NAME}')::date THEN 'early'
                 WHEN e.finished_at <= e.due_at THEN 'on_time' ELSE 'late' END
        ELSE '' END AS outcome,
        CASE WHEN e.st = 'returned' THEN GREATEST(e.finished_at,
            LEAST(e.finished_at + e.r_ret * interval '3 days', %(now)s - interval '1 minute'))
        END AS returned_at,
        CASE e.st WHEN 'returned' THEN 6 WHEN 'resolved' THEN 5 WHEN 'processing' THEN 2
                  WHEN 'supplement' THEN 3 WHEN 'payment' THEN 3 WHEN 'withdrawn' THEN 3
                  WHEN 'stopped' THEN 3 ELSE 1 END AS row_version
    FROM (
        SELECT c.*,
            CASE WHEN c.st IN ('submitted', 'incomplete', 'refused') THEN c.recv_at
                 WHEN c.channel IN ('online_full', 'online_partial')
                 THEN c.recv_at - c.r_ret * interval '20 hours' ELSE c.recv_at END AS submitted_at,
            CASE WHEN c.st NOT IN ('submitted', 'incomplete', 'refused') THEN c.recv_at
                 END AS received_at,
            CASE WHEN c.st NOT IN ('submitted', 'incomplete', 'refused') THEN c.due0
                 END AS original_due_at,
            CASE WHEN c.st NOT IN ('submitted', 'incomplete', 'refused') THEN c.eff_due
                 END AS due_at,
            CASE WHEN c.rescheduled THEN c.recv_at + (c.due0 - c.recv_at) * 0.8
                 END AS rescheduled_at,
            CASE WHEN c.st IN ('resolved', 'returned') THEN LEAST(
                    CASE WHEN c.r_fin < 0.06
                         THEN c.eff_due + (c.r_fin / 0.06) * interval '4 days'
                              + interval '30 minutes'
                         ELSE c.recv_at + (c.eff_due - c.recv_at) * ((c.r_fin - 0.06) / 0.94)
                              * 0.98 + interval '5 minutes' END,
                    %(now)s - interval '1 minute')
                 WHEN c.st IN ('withdrawn', 'stopped') THEN LEAST(
                    c.recv_at + (c.eff_due - c.recv_at) * c.r_fin * 0.5 + interval '5 minutes',
                    %(now)s - interval '1 minute')
            END AS finished_at,
            CASE WHEN c.st IN ('resolved', 'returned')
                 THEN CASE WHEN c.r_ret < 0.03 THEN 'refused' ELSE 'resolved' END
                 WHEN c.st IN ('withdrawn', 'stopped') THEN c.st ELSE '' END AS end_type,
            CASE WHEN c.st = 'supplement'
                 THEN LEAST(c.recv_at + c.r_fin * interval '1 day', %(now)s - interval '1 hour')
                 WHEN c.supplemented THEN c.recv_at + interval '1 hour' END
                 AS supplement_requested_at,
            CASE WHEN c.st = 'supplement' OR c.supplemented THEN 1 ELSE 0 END AS supplement_count,
            CASE WHEN c.supplemented THEN interval '1 day' * (1 + c.r_x * 100) END
                 AS supplement_wait,
            CASE WHEN c.st = 'payment'
                 THEN LEAST(c.recv_at + c.r_fin * interval '1 day', %(now)s - interval '1 hour')
                 END AS payment_requested_at,
            CASE WHEN c.st = 'payment' AND c.fee = 0 THEN 50000 ELSE c.fee END AS fee_due
        FROM (
            SELECT b.*, p.procedure_id, p.version_id, p.field_id, p.fee, q.due AS due0,
                CASE WHEN b.rescheduled THEN q.due3 ELSE q.due END AS eff_due,
                (d.day + b.t_min * interval '1 minute' + b.t_sec * interval '1 second')
                    AT TIME ZONE '{TZ_NAME}' AS recv_at,
                CASE WHEN b.st IN ('submitted', 'incomplete') THEN
                         CASE WHEN b.r_chan < 0.6 THEN 'online_full' ELSE 'online_partial' END
                     WHEN b.r_chan < 0.55 THEN 'counter'
                     WHEN b.r_chan < 0.80 THEN 'online_partial'
                     WHEN b.r_chan < 0.95 THEN 'online_full' ELSE 'postal' END AS channel,
                CASE WHEN b.r_chan >= 0.95 THEN 'postal'
                     WHEN b.r_chan >= 0.80 THEN 'online' ELSE 'counter' END AS return_method
            FROM (
                SELECT g.*,
                    CASE WHEN g.r_status < 0.928 THEN 'returned'
                         WHEN g.r_status < 0.935 THEN 'withdrawn'
                         WHEN g.r_status < 0.938 THEN 'stopped'
                         WHEN g.r_status < 0.946 THEN 'refused'
                         WHEN g.r_status < 0.962 THEN 'resolved'
                         WHEN g.r_status < 0.974 THEN 'received'
                         WHEN g.r_status < 0.988 THEN 'processing'
                         WHEN g.r_status < 0.991 THEN 'supplement'
                         WHEN g.r_status < 0.994 THEN 'payment'
                         WHEN g.r_status < 0.998 THEN 'submitted'
                         ELSE 'incomplete' END AS st,
                    g.r_status >= 0.962 AND g.r_status < 0.994 AS is_open,
                    floor(g.r_unit * %(nunits)s)::int AS unit_idx,
                    CASE WHEN g.r_cross < 0.02
                         THEN (floor(g.r_unit * %(nunits)s)::int + 1
                               + floor(g.r_cross / 0.02 * (%(nunits)s - 1))::int) %% %(nunits)s
                         ELSE floor(g.r_unit * %(nunits)s)::int END AS recv_idx,
                    CASE WHEN floor(g.r_time * 480) < 240 THEN 450 + floor(g.r_time * 480)
                         ELSE 540 + floor(g.r_time * 480) END AS t_min,
                    floor((g.r_time * 480 - floor(g.r_time * 480)) * 60) AS t_sec,
                    g.r_x > 0.985 AND g.r_status < 0.994
                        AND NOT (g.r_status >= 0.938 AND g.r_status < 0.946) AS rescheduled,
                    g.r_x < 0.03 AND g.r_status < 0.962
                        AND NOT (g.r_status >= 0.938 AND g.r_status < 0.946) AS supplemented
                FROM (
                    SELECT s.i, random() AS r_status, random() AS r_unit, random() AS r_cross,
                        random() AS r_proc, random() AS r_day, random() AS r_time,
                        random() AS r_fin, random() AS r_ret, random() AS r_chan,
                        random() AS r_x, random() AS r_name, random() AS r_phone,
                        random() AS r_id
                    FROM generate_series(1, %(n)s) AS s(i)
                    OFFSET 0
                ) g
            ) b
            JOIN bench_proc p ON p.open = b.is_open AND p.slot = floor(
                b.r_proc * CASE WHEN b.is_open THEN %(nlong)s ELSE %(nall)s END)::int
            JOIN bench_day d ON d.idx = GREATEST(0, CASE
                WHEN b.is_open THEN %(last)s - floor(b.r_day * (p.days + 2))::int
                WHEN b.st = 'resolved' AND b.r_x >= 0.5 THEN %(last)s - floor(b.r_day * 10)::int
                WHEN b.st IN ('submitted', 'incomplete') THEN %(last)s - floor(b.r_day * 3)::int
                ELSE floor(b.r_day * (%(last)s + 1))::int END)
            JOIN bench_due q ON q.day_idx = d.idx AND q.days = p.days AND q.late = (b.t_min > 900)
        ) c
    ) e
) f
JOIN bench_unit ru ON ru.idx = f.recv_idx
JOIN bench_unit pu ON pu.idx = f.unit_idx
ORDER BY f.submitted_at, f.i
"""

# Dossiers that get their steps, events and documents: one in ten, and every open one.
SAMPLE = "(d.id %% 10 = 0 OR d.status IN ('received', 'processing', 'supplement', 'payment'))"

# The control slip: four steps over the dossier's life (step k spans [cum(k-1), cum(k)] of the
# time from receipt to the end: returned, finished, or now); `reached` is the step in progress.
GENERATE_STEPS = f"""
INSERT INTO dossiers_dossierstep (dossier_id, position, name, role, body, allotted, due_at,
    started_at, finished_at, outcome, note, assignee_id, given_by_id)
SELECT d.id, s.pos, s.name, s.role, '', (d.due_at - d.received_at) * s.share,
    d.received_at + (d.due_at - d.received_at) * s.cum,
    CASE WHEN s.pos <= d.reached THEN d.received_at + (d.end_at - d.received_at) * s.prev END,
    CASE WHEN s.pos < d.reached THEN d.received_at + (d.end_at - d.received_at) * s.cum END,
    CASE WHEN s.pos >= d.reached THEN ''
         WHEN ((d.received_at + (d.end_at - d.received_at) * s.cum) AT TIME ZONE '{TZ_NAME}')::date
              < ((d.received_at + (d.due_at - d.received_at) * s.cum)
                 AT TIME ZONE '{TZ_NAME}')::date THEN 'early'
         WHEN (d.end_at - d.received_at) * s.cum <= (d.due_at - d.received_at) * s.cum
              THEN 'on_time'
         ELSE 'late' END,
    '', CASE WHEN s.pos = 1 THEN d.received_by_id WHEN s.pos = 2 THEN d.assignee_id END,
    CASE WHEN s.pos = 1 THEN d.received_by_id END
FROM (
    SELECT d.*, COALESCE(d.returned_at, d.finished_at, %(now)s) AS end_at,
        CASE d.status WHEN 'received' THEN 1 WHEN 'resolved' THEN 4 WHEN 'returned' THEN 5
                      ELSE 2 END AS reached
    FROM dossiers_dossier d WHERE d.received_at IS NOT NULL AND {SAMPLE}
) d
CROSS JOIN (VALUES
    (1, 'Tiếp nhận hồ sơ', 'reception', 0.1, 0.0, 0.1),
    (2, 'Thẩm định, xử lý hồ sơ', 'specialist', 0.6, 0.1, 0.7),
    (3, 'Phê duyệt kết quả', 'leader', 0.2, 0.7, 0.9),
    (4, 'Trả kết quả', 'reception', 0.1, 0.9, 1.0)
) AS s(pos, name, role, share, prev, cum)
"""

GENERATE_EVENTS = f"""
INSERT INTO dossiers_dossierevent (dossier_id, action, from_status, to_status, at, reason, data,
    public, actor_id)
SELECT d.id, e.action, e.from_status, e.to_status, e.at, e.reason, '{{}}'::jsonb, true, e.actor
FROM dossiers_dossier d
CROSS JOIN LATERAL (VALUES
    ('submit', '', 'submitted', d.submitted_at, '', NULL::bigint,
        d.channel IN ('online_full', 'online_partial')),
    ('ask_completion', 'submitted', 'incomplete', d.submitted_at + interval '2 hours', '',
        NULL, d.status = 'incomplete'),
    ('refuse_receipt', '', 'refused', d.submitted_at, 'Không thuộc thẩm quyền', NULL,
        d.status = 'refused'),
    ('receive', CASE WHEN d.channel IN ('online_full', 'online_partial')
                     THEN 'submitted' ELSE '' END, 'received', d.received_at, '',
        d.received_by_id, d.received_at IS NOT NULL),
    ('hand_over', 'received', 'processing',
        d.received_at + (COALESCE(d.returned_at, d.finished_at, %(now)s) - d.received_at) * 0.1,
        '', d.received_by_id, d.received_at IS NOT NULL AND d.status <> 'received'),
    ('request_supplement', 'processing', 'supplement', d.supplement_requested_at,
        'Thiếu bản sao giấy tờ tùy thân', d.assignee_id, d.supplement_requested_at IS NOT NULL),
    ('request_payment', 'processing', 'payment', d.payment_requested_at, '', d.assignee_id,
        d.payment_requested_at IS NOT NULL),
    ('resolve', 'processing', 'resolved', d.finished_at, '', NULL,
        d.status IN ('resolved', 'returned')),
    ('return_result', 'resolved', 'returned', d.returned_at, '', d.received_by_id,
        d.status = 'returned'),
    ('withdraw', 'processing', 'withdrawn', d.finished_at, 'Công dân xin rút hồ sơ', NULL,
        d.status = 'withdrawn'),
    ('stop', 'processing', 'stopped', d.finished_at, 'Dừng xử lý theo yêu cầu', NULL,
        d.status = 'stopped')
) AS e(action, from_status, to_status, at, reason, actor, keep)
WHERE e.keep AND {SAMPLE}
"""

GENERATE_DOCUMENTS = f"""
INSERT INTO dossiers_dossierdocument (dossier_id, kind, name, originals, copies, file,
    original_filename, content_type, size, sha256, digitised, uploaded_at, required_document_id,
    uploaded_by_id)
SELECT d.id, 'submitted', doc.name, doc.originals, doc.copies, '', '', '', 0, '', false,
    d.submitted_at, NULL, d.received_by_id
FROM dossiers_dossier d
CROSS JOIN (VALUES ('Tờ khai', 1, 0), ('Giấy tờ tùy thân', 0, 1)) AS doc(name, originals, copies)
WHERE {SAMPLE}
"""

GENERATE_COUNTERS = """
INSERT INTO dossiers_dossiercounter (agency_identifier, day, last)
SELECT split_part(code, '-', 1), to_date(split_part(code, '-', 2), 'YYMMDD'),
    max(split_part(code, '-', 3)::int)
FROM dossiers_dossier GROUP BY 1, 2
"""


_T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:6.1f} s] {message}", flush=True)


def timed(label: str, cursor: Any, sql: str, params: dict[str, Any] | None = None) -> None:
    t0 = time.perf_counter()
    cursor.execute(sql, params)
    log(f"  {label}: {cursor.rowcount:,} rows in {time.perf_counter() - t0:.1f} s")


def _lookup_tables(cursor: Any, now: dt.datetime) -> dict[str, int]:
    """Small tables the generator joins: communes, weighted procedures, working days, due moments."""
    from django.utils import timezone

    from cchc.accounts.models import User
    from cchc.catalogue.models import UnitProcedure
    from cchc.units.choices import Role, UnitKind
    from cchc.units.models import Membership, Unit
    from cchc.worktime import deadlines
    from cchc.worktime.snapshot import load_calendar

    today = timezone.localdate(now)
    communes = list(
        Unit.objects.current(today).filter(kind__in=UnitKind.commune_level()).order_by("code")
    )

    def member(unit: Unit, role: str) -> int | None:
        m = Membership.objects.filter(unit=unit, role=role).order_by("id").first()
        return m.user_id if m else None

    cursor.execute(
        "CREATE UNLOGGED TABLE bench_unit (idx int, unit_id bigint, agency text, name text, "
        "reception_id bigint, specialist_id bigint)"
    )
    cursor.executemany(
        "INSERT INTO bench_unit VALUES (%s, %s, %s, %s, %s, %s)",
        [
            (i, u.pk, u.agency_identifier, u.name, member(u, Role.RECEPTION),
             member(u, Role.SPECIALIST))
            for i, u in enumerate(communes)
        ],
    )  # fmt: skip
    # Procedures every commune implements; a dossier's procedure need not vary by commune.
    implemented: set[int] | None = None
    for unit in communes:
        ids = set(
            UnitProcedure.objects.filter(unit=unit, implemented=True).values_list(
                "procedure_id", flat=True
            )
        )
        implemented = ids if implemented is None else implemented & ids
    procedures = []
    for adoption in (
        UnitProcedure.objects.filter(unit=communes[0], procedure_id__in=implemented or set())
        .select_related("procedure", "procedure__field")
        .order_by("procedure__code")
    ):
        version = adoption.procedure.version_at(today)
        if version is None:
            continue
        duration = version.duration
        days = 0 if duration.unit == "same_day" else int(duration.amount)
        procedures.append((adoption.procedure, version, days))
    cursor.execute(
        "CREATE UNLOGGED TABLE bench_proc (open boolean, slot int, procedure_id bigint, "
        "version_id bigint, field_id bigint, days int, fee bigint)"
    )
    rows: list[tuple[Any, ...]] = []
    for procedure, version, days in procedures:
        for _copy in range(3 if days == 0 else 1):  # same-day procedures are the common ones
            rows.append((False, len(rows), procedure.pk, version.pk, procedure.field_id, days,
                         version.total_fee_vnd))  # fmt: skip
    nall = len(rows)
    # Open dossiers take procedures of two working days or more: same-day ones rarely stay open.
    long = [(p, v, d) for p, v, d in procedures if d >= 2]
    for slot, (procedure, version, days) in enumerate(long):
        rows.append((True, slot, procedure.pk, version.pk, procedure.field_id, days,
                     version.total_fee_vnd))  # fmt: skip
    cursor.executemany("INSERT INTO bench_proc VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)

    calendar = load_calendar()
    day, days_list = dt.date(2024, 1, 1), []
    while day < today:
        if calendar.is_working_day(day):
            days_list.append(day)
        day += dt.timedelta(days=1)
    cursor.execute("CREATE UNLOGGED TABLE bench_day (idx int PRIMARY KEY, day date)")
    cursor.executemany("INSERT INTO bench_day VALUES (%s, %s)", list(enumerate(days_list)))
    # Due moments depend on the receipt date only, except same-day ones (after the 15:00
    # cut-off: the next working day), so two receipt times per day cover every case.
    durations = sorted({days for _p, _v, days in procedures})
    due_rows = []
    tz = dt.timezone(dt.timedelta(hours=7))
    for idx, day in enumerate(days_list):
        for days in durations:
            for late, hour in ((False, 9), (True, 16)):
                start = dt.datetime.combine(day, dt.time(hour), tz)
                if days == 0:
                    due = deadlines.due(start, deadlines.Duration.same_day(), calendar)
                else:
                    due = deadlines.due_in_working_days(start, days, calendar)
                due3 = deadlines.due_in_working_days(start, days + 3, calendar)
                due_rows.append((idx, days, late, due, due3))
    cursor.execute(
        "CREATE UNLOGGED TABLE bench_due (day_idx int, days int, late boolean, "
        "due timestamptz, due3 timestamptz, PRIMARY KEY (day_idx, days, late))"
    )
    with cursor.copy("COPY bench_due FROM STDIN") as copy:
        for row in due_rows:
            copy.write_row(row)
    cursor.execute("ANALYZE bench_unit; ANALYZE bench_proc; ANALYZE bench_day; ANALYZE bench_due")
    assert User.objects.filter(username="giamsat.tinh").exists()
    return {
        "nunits": len(communes),
        "nall": nall,
        "nlong": len(long),
        "last": len(days_list) - 1,
    }


def _check_columns(cursor: Any) -> None:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = "
        "'dossiers_dossier' AND is_nullable = 'NO' AND column_default IS NULL"
    )
    filled = {c.strip() for c in DOSSIER_COLUMNS.split(",")} | {"id"}
    missing = sorted({name for (name,) in cursor.fetchall()} - filled)
    if missing:
        raise SystemExit(f"dossiers_dossier has new NOT NULL columns to generate: {missing}")


def generate(n: int, now: dt.datetime) -> None:
    """N dossiers, set-based; the secondary indexes are dropped first and rebuilt after."""
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        _check_columns(cursor)
        cursor.execute("SET work_mem = '256MB'; SET maintenance_work_mem = '512MB'")
        cursor.execute("SET synchronous_commit = off")
        params = {**_lookup_tables(cursor, now), "n": n, "now": now}
        cursor.execute("SELECT setseed(0.20261125)")
        tables = [
            "dossiers_dossier",
            "dossiers_dossierstep",
            "dossiers_dossierevent",
            "dossiers_dossierdocument",
        ]
        # Plain indexes only: those behind constraints (primary key, unique) stay in place.
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) AND "
            "NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        log(f"generating {n:,} dossiers ({len(indexes)} secondary indexes dropped meanwhile)")
        timed("dossiers", cursor, GENERATE_DOSSIERS, params)
        timed(
            "folded names",
            cursor,
            "UPDATE dossiers_dossier SET applicant_name_folded = "
            f"translate(lower(applicant_name), '{_VI_LETTERS}', '{_ASCII_LETTERS}')",
        )
        timed("steps", cursor, GENERATE_STEPS, {"now": now})
        timed("events", cursor, GENERATE_EVENTS, {"now": now})
        timed("documents", cursor, GENERATE_DOCUMENTS, {"now": now})
        timed("counters", cursor, GENERATE_COUNTERS)
        t1 = time.perf_counter()
        for _name, definition in indexes:
            cursor.execute(definition)
        log(f"  {len(indexes)} indexes rebuilt in {time.perf_counter() - t1:.1f} s")
        cursor.execute("DROP TABLE bench_unit, bench_proc, bench_day, bench_due")
        t1 = time.perf_counter()
        for name in [*tables, "dossiers_dossiercounter"]:
            cursor.execute(f"VACUUM ANALYZE {name}")
        log(f"  VACUUM ANALYZE in {time.perf_counter() - t1:.1f} s")
        cursor.execute("SELECT status, count(*) FROM dossiers_dossier GROUP BY 1 ORDER BY 2 DESC")
        mix = ", ".join(f"{s} {c:,}" for s, c in cursor.fetchall())
        cursor.execute(
            "SELECT count(*) FROM dossiers_dossier WHERE status = ANY(%s) AND due_at < %s",
            [list(OPEN), now],
        )
        (overdue,) = cursor.fetchone()
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        (size,) = cursor.fetchone()
    log(f"generated in {time.perf_counter() - t0:.1f} s; database {size}")
    log(f"  status mix: {mix}; open and overdue: {overdue:,}")


# Indexes this benchmark recommends (see docs/performance.md); created only with
# --proposed-indexes, to measure the pages as they would be with them. Not part of the schema.
PROPOSED_INDEXES = [
    # "finished" sorts by updated_at DESC NULLS LAST, id DESC: read in that order, no sort.
    "CREATE INDEX bench_dossier_updated ON dossiers_dossier (updated_at DESC NULLS LAST, id DESC)",
    # The open lists (open, mine, due_1, due_3, overdue) filter on the open statuses and sort
    # by (due_at, id); the existing dossier_open_due (WHERE finished_at IS NULL) is not implied
    # by their filter, so the planner cannot use it.
    "CREATE INDEX bench_dossier_open_due ON dossiers_dossier (due_at, id) "
    "WHERE status IN ('received', 'processing', 'supplement', 'payment')",
    # to_return and not_returned: status = resolved, by (finished_at, id).
    "CREATE INDEX bench_dossier_resolved ON dossiers_dossier (finished_at, id) "
    "WHERE status = 'resolved'",
    # The search box: code suffix and name substring (LIKE '%…%') need trigram indexes.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX bench_dossier_name_trgm ON dossiers_dossier "
    "USING gin (upper(applicant_name::text) gin_trgm_ops)",
    "CREATE INDEX bench_dossier_code_trgm ON dossiers_dossier USING gin (code gin_trgm_ops)",
    "ANALYZE dossiers_dossier",
]


def add_proposed_indexes() -> None:
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for statement in PROPOSED_INDEXES:
            cursor.execute(statement)
    log(f"proposed indexes created in {time.perf_counter() - t0:.1f} s")


# -- measuring ----------------------------------------------------------------------------------


class Case:
    def __init__(self, label: str, urls: list[str]) -> None:
        self.label = label
        self.urls = urls


def _sample(sql: str, params: list[Any], k: int) -> list[Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY random() LIMIT {int(k)}", params)
        return [row[0] for row in cursor.fetchall()]


def _deep_cursor(user: Any, key: str) -> tuple[str, int] | None:
    """A cursor DEEP_PAGES pages down the list (or as deep as it goes), and that depth."""
    from django.db.models import F

    from cchc.dossiers.worklists import WORKLISTS, Filters, _encode, worklist_rows

    worklist = WORKLISTS[key]
    rows = worklist_rows(user, key, Filters())
    total = rows.count()
    depth = min(DEEP_PAGES, total // PAGE_SIZE - 1)
    if depth < 1:
        return None
    order = (
        [F(worklist.sort).desc(nulls_last=True), "-id"]
        if worklist.descending
        else [F(worklist.sort).asc(nulls_last=True), "id"]
    )
    last = rows.order_by(*order)[depth * PAGE_SIZE - 1]
    return _encode(getattr(last, worklist.sort), last.pk), depth


def cases_for(user: Any, n_samples: int) -> list[Case]:
    from cchc.dossiers.worklists import WORKLISTS
    from cchc.units.models import visible_unit_ids

    ids = sorted(visible_unit_ids(user))
    scope = "(processing_unit_id = ANY(%s) OR receiving_unit_id = ANY(%s))"
    cases = [Case(f"list {key}, page 1", [f"/lam-viec/ho-so/?list={key}"]) for key in WORKLISTS]
    for key in ("finished", "open"):
        deep = _deep_cursor(user, key)
        if deep is not None:
            cursor, depth = deep
            cases.append(
                Case(
                    f"list {key}, page {depth + 1}",
                    [f"/lam-viec/ho-so/?list={key}&cursor={cursor}"],
                )
            )
    for key, statuses in (("open", OPEN), ("finished", FINISHED)):
        for what, column in (("phone", "applicant_phone"), ("code", "code")):
            values = _sample(
                f"SELECT {column} FROM dossiers_dossier WHERE {scope} AND status = ANY(%s)",
                [ids, ids, list(statuses)],
                n_samples,
            )
            cases.append(
                Case(
                    f"search {key} by {what}",
                    [f"/lam-viec/ho-so/?list={key}&q={v}" for v in values],
                )
            )
    codes = _sample(
        f"SELECT code FROM dossiers_dossier WHERE {scope} AND id %% 10 = 0", [ids, ids], n_samples
    )
    cases.append(Case("dossier page (random)", [f"/lam-viec/ho-so/{c}/" for c in codes]))
    return cases


# The code cell of each row (the worklist template's first column links to the dossier).
ROW_LINK = re.compile(rb'<td[^>]*><a href="/lam-viec/ho-so/[^"/]+/">')


class QueryLog:
    """Records the queries a request runs (sql, params, seconds) through an execute wrapper:
    CaptureQueriesContext would lose them, since each test-client request resets the log."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, Any, float]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, time.perf_counter() - t0))


def logged_get(client: Any, url: str) -> tuple[Any, QueryLog]:
    from django.db import connection

    queries = QueryLog()
    with connection.execute_wrapper(queries):
        response = client.get(url)
    return response, queries


class Timing:
    def __init__(self, wall: list[float], cpu: list[float], queries: int, rows: int) -> None:
        self.wall, self.cpu, self.queries, self.rows = wall, cpu, queries, rows


def measure(client: Any, urls: list[str], requests: int, budget: float) -> Timing:
    """Times in ms (wall clock, and CPU time of this thread, which excludes the database
    server's work and time spent waiting for a core) of up to `requests` GETs cycling through
    `urls`, with the queries and listed rows of the first. Stops after `budget` seconds once
    MIN_REQUESTS requests are timed."""
    response, queries = logged_get(client, urls[0])
    if response.status_code != 200:
        raise SystemExit(f"GET {urls[0]} answered {response.status_code}")
    rows = len(ROW_LINK.findall(response.content))
    for url in urls[1:3]:  # warm-up
        client.get(url)
    wall: list[float] = []
    cpu: list[float] = []
    started = time.perf_counter()
    for k in range(requests):
        url = urls[k % len(urls)]
        c0, t0 = time.thread_time(), time.perf_counter()
        response = client.get(url)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        if len(wall) >= MIN_REQUESTS and time.perf_counter() - started > budget:
            break
    return Timing(wall, cpu, len(queries.queries), rows)


def explain_slowest(client: Any, url: str) -> str:
    """Where a slow page's time goes: its queries' share, and EXPLAIN ANALYZE of the slowest
    query when that one is worth a look (over EXPLAIN_FROM_MS)."""
    from django.db import connection

    t0 = time.perf_counter()
    _response, queries = logged_get(client, url)
    total = (time.perf_counter() - t0) * 1000
    in_db = sum(q[2] for q in queries.queries) * 1000
    sql, params, seconds = max(queries.queries, key=lambda q: q[2])
    out = [
        f"-- {url}",
        f"-- one request: {total:.1f} ms, of which {len(queries.queries)} queries "
        f"{in_db:.1f} ms; slowest query {seconds * 1000:.1f} ms",
    ]
    if seconds * 1000 >= EXPLAIN_FROM_MS:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        out += [connection.ops.compose_sql(sql, params), plan]
    return "\n".join(out)


def baseline(client: Any, requests: int) -> list[float]:
    times = []
    for _ in range(5):
        client.get("/bench/ok/")
    for _ in range(requests):
        t0 = time.perf_counter()
        response = client.get("/bench/ok/")
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    return times


def select_one(requests: int) -> list[float]:
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        for _ in range(requests):
            t0 = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dossiers", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--budget", type=float, default=10.0, help="seconds per page at most")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--proposed-indexes",
        action="store_true",
        help="add the indexes recommended in docs/performance.md before measuring",
    )
    parser.add_argument(
        "--database",
        help="measure this database generated before (e.g. bench_reports.py --keep's, by "
        "generate_demo's generator): no generation, never dropped",
    )
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()
    random.seed(args.seed)

    t_start = time.perf_counter()
    if args.database:
        log(f"database {args.database}: measured as it is")
        url = database_url(args.database)
    else:
        log(f"database {DB_NAME}: create, migrate, load_demo")
        url = recreate_database(DB_NAME)
    setup_django(url)
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from cchc.accounts.models import User
    from cchc.dossiers.models import Dossier

    call_command("migrate", interactive=False, verbosity=0)
    if not args.database:
        call_command("load_demo", no_dossiers=True, stdout=io.StringIO())
        now = timezone.now()
        generate(args.dossiers, now)
    if args.proposed_indexes:
        add_proposed_indexes()

    results: list[tuple[str, str, Timing]] = []
    slow: list[tuple[Any, str]] = []
    base_client = Client()
    base_client.force_login(
        User.objects.get(username=PERSONAS[0][1]),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    base = baseline(base_client, 500)
    for persona, username in PERSONAS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        log(f"measuring as {persona} ({username})")
        for case in cases_for(user, args.requests):
            timing = measure(client, case.urls, args.requests, args.budget)
            results.append((persona, case.label, timing))
            p95 = percentile(timing.wall, 95)
            log(f"  {case.label}: p95 {p95:.1f} ms over {len(timing.wall)} requests")
            if p95 > TARGET_MS:
                slow.append((client, case.urls[0]))
    base += baseline(base_client, 500)
    one = select_one(500)

    base_p95 = percentile(base, 95)
    rows_out: list[list[object]] = []
    for persona, label, t in results:
        p95 = percentile(t.wall, 95)
        rows_out.append(
            [persona, label, len(t.wall), t.queries, t.rows, f"{percentile(t.wall, 50):.1f}",
             f"{p95:.1f}", f"{percentile(t.cpu, 50):.1f}", f"{p95 / base_p95:.0f}",
             "yes" if p95 < TARGET_MS else "**NO**"]
        )  # fmt: skip
    print()
    schema = "with the proposed indexes" if args.proposed_indexes else "schema as migrated"
    print(
        f"Worklists and dossier page, {Dossier.objects.count():,} dossiers, PostgreSQL, {schema}, "
        f"server time in ms"
    )
    print(
        f"Baseline /bench/ok/ (bare JsonResponse, same middleware and client): "
        f"p50 {percentile(base, 50):.2f} ms, p95 {base_p95:.2f} ms over {len(base)} requests; "
        f"SELECT 1 round trip: p50 {percentile(one, 50):.3f} ms, p95 {percentile(one, 95):.3f} ms"
    )
    print()
    print(
        table(
            ["who", "page", "n", "queries", "rows", "p50 ms", "p95 ms", "CPU p50 ms",
             "p95/baseline", f"p95 < {TARGET_MS:.0f} ms"],
            rows_out,
        )
    )  # fmt: skip
    worst = max(results, key=lambda r: percentile(r[2].wall, 95))
    print(
        f"\nWorst p95: {percentile(worst[2].wall, 95):.1f} ms ({worst[0]}, {worst[1]}); "
        f"target {'met' if not slow else 'NOT met'} for every page."
    )
    for client, url in slow:
        print()
        print(explain_slowest(client, url))
    if not args.keep and not args.database:
        from django.db import connections

        connections.close_all()
        drop_database(DB_NAME)
    log(f"total {time.perf_counter() - t_start:.0f} s")
    return 0 if not slow else 1


if __name__ == "__main__":
    sys.exit(main())
