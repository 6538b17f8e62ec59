"""The periodic report's files (.docx, .pdf, the Biểu 06 table alone as .xlsx, and the unit's
ledger, Mẫu 06, as .pdf) made by the job worker, never inside a web request.

A request queues `build_report_job` on the durable task queue (django-tasks, database backend)
and answers at once with a page that follows the job: its progress (kept in the shared cache,
so that every web process sees what the worker writes), then the download. The job's row in the
task table is the record of the request: who asked (its first argument), for which unit and
period; only that person can follow it or download its file (404 for anyone else). Files are
kept under `reports/exports/<job id>/` in the default storage for `REPORTS_EXPORT_KEEP_DAYS`
days; each new job removes older ones.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task
from django_tasks.base import TaskContext, TaskResult
from django_tasks.exceptions import TaskResultDoesNotExist

from cchc.lib.errors import DomainError

logger = logging.getLogger(__name__)

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    # Biểu số 06/VPCP/KSTT alone, laid out like the official form (xlsx.py).
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    # The unit's Sổ theo dõi hồ sơ (Mẫu 06) for the period, as PDF: a year of a large one-stop is
    # thousands of lines, tens of seconds to lay out, so it is made here rather than by the
    # dossier pages' own print view (which takes up to a quarter).
    "ledger": "application/pdf",
}
FOLDER = "reports/exports"


def keep_days() -> int:
    return int(getattr(settings, "REPORTS_EXPORT_KEEP_DAYS", 7))


def max_waiting() -> int:
    return int(getattr(settings, "REPORTS_EXPORT_MAX_WAITING", 3))


class TooManyExports(DomainError):
    status_code = 429


@dataclass(frozen=True)
class Request:
    """What a person asked for, as the job's arguments (plain JSON values)."""

    user_id: int
    unit_id: int
    kind: str
    year: int
    part: int
    fmt: str
    number: int | None = None
    signer: str = ""
    deputy: bool = False

    def args(self) -> list[Any]:
        return [
            self.user_id, self.unit_id, self.kind, self.year, self.part, self.fmt,
            self.number, self.signer, self.deputy,
        ]  # fmt: skip


def _progress_key(job_id: str) -> str:
    return f"reports:export:{job_id}"


def set_progress(job_id: str, percent: int, step: str) -> None:
    caches["default"].set(_progress_key(job_id), {"percent": percent, "step": step}, 24 * 3600)


def progress_of(job_id: str) -> dict[str, Any]:
    value: dict[str, Any] | None = caches["default"].get(_progress_key(job_id))
    return value or {"percent": 0, "step": ""}


@task(takes_context=True)
def build_report_job(
    context: TaskContext,
    user_id: int,
    unit_id: int,
    kind: str,
    year: int,
    part: int,
    fmt: str,
    number: int | None = None,
    signer: str = "",
    deputy: bool = False,
) -> dict[str, Any]:
    """Count, compose and lay out the report; store the file; return where it is."""
    from cchc.accounts.models import User
    from cchc.reports.dashboards import scope_of
    from cchc.reports.report_content import Options, build_report, report_period
    from cchc.reports.report_docx import report_docx
    from cchc.reports.report_pdf import report_pdf
    from cchc.reports.resolution import resolution
    from cchc.reports.xlsx import filename as xlsx_filename
    from cchc.reports.xlsx import resolution_xlsx
    from cchc.units.models import Unit

    job_id = str(context.task_result.id)

    def progress(percent: int, step: str) -> None:
        set_progress(job_id, percent, step)

    progress(5, "Đang bắt đầu")
    user = User.objects.get(pk=user_id)
    unit = Unit.objects.get(pk=unit_id)
    # Checked again here: the person may have lost the unit since they asked.
    scope = scope_of(user, unit)
    period = report_period(kind, year, part)
    if fmt == "ledger":
        from cchc.dossiers import ledger
        from cchc.dossiers.models import Dossier
        from cchc.dossiers.printing.ledger import ledger_pdf

        progress(20, "Đang đọc sổ theo dõi hồ sơ")
        rows = ledger.entries(unit, period.start, period.end, Dossier.objects.visible_to(user))
        data = ledger_pdf(unit, period.start, period.end, rows)
        name = f"so-theo-doi-{unit.code}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.pdf"
    elif fmt == "xlsx":
        progress(20, "Đang tổng hợp số liệu giải quyết hồ sơ")
        table = resolution(
            unit, period.start, period.end, subtree=True, group=("level", "field"), units=scope
        )
        data, name = resolution_xlsx(table), xlsx_filename(table)
    else:
        report = build_report(
            unit,
            period,
            scope=scope,
            options=Options(number=number, signer_name=signer, deputy=deputy),
            progress=progress,
        )
        data = report_docx(report, progress) if fmt == "docx" else report_pdf(report, progress)
        name = f"{report.filename}.{fmt}"
    progress(90, "Đang lưu tệp")
    path = default_storage.save(f"{FOLDER}/{job_id}/{name}", ContentFile(data))
    _prune(timezone.now(), keep=job_id)
    progress(100, "Đã xong")
    return {"path": path, "name": name, "size": len(data)}


def _prune(now: dt.datetime, *, keep: str) -> None:
    """Remove exports older than the retention (best effort: a failure only logs)."""
    limit = now - dt.timedelta(days=keep_days())
    try:
        folders, _files = default_storage.listdir(FOLDER)
        for folder in folders:
            if folder == keep:
                continue
            _sub, files = default_storage.listdir(f"{FOLDER}/{folder}")
            for name in files:
                path = f"{FOLDER}/{folder}/{name}"
                if default_storage.get_modified_time(path) < limit:
                    default_storage.delete(path)
    except (OSError, NotImplementedError) as exc:
        logger.warning("reports: could not prune old exports: %s", exc)


def waiting_for(user_id: int) -> int:
    """The person's report jobs not finished yet."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=build_report_job.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        args_kwargs__args__0=user_id,
    ).count()


def enqueue(request: Request) -> TaskResult[Any]:
    """Queue the job, unless the person already has `REPORTS_EXPORT_MAX_WAITING` waiting."""
    if waiting_for(request.user_id) >= max_waiting():
        raise TooManyExports(
            _("Bạn đang có %(n)s báo cáo chờ tạo; hãy đợi các báo cáo đó xong rồi yêu cầu tiếp.")
            % {"n": max_waiting()}
        )
    result = build_report_job.enqueue(*request.args())
    set_progress(str(result.id), 0, _("Đang chờ đến lượt"))
    return result


def job_for(user: Any, job_id: str) -> TaskResult[Any]:
    """The report job `job_id` if `user` asked for it; 404 otherwise (another person's, or one
    that does not exist, look the same)."""
    try:
        result = build_report_job.get_result(job_id)
    except (TaskResultDoesNotExist, ValueError) as exc:
        raise Http404(_("Không tìm thấy báo cáo")) from exc
    mine = result.args and result.args[0] == user.pk
    if not mine or result.task.module_path != build_report_job.module_path:
        raise Http404(_("Không tìm thấy báo cáo"))
    return result


def recent_jobs(user: Any, limit: int = 10) -> list[Any]:
    """The person's latest report jobs, newest first."""
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.filter(
            task_path=build_report_job.module_path, args_kwargs__args__0=user.pk
        ).order_by("-enqueued_at")[:limit]
    )
