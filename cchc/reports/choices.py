"""Names defined once: the columns of the resolution table (Biểu số 06/VPCP/KSTT and the
extended columns, REFERENCE §2), the dimensions a table may be grouped by, and the small codes
the aggregate tables store instead of strings."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cchc.dossiers.choices import Channel


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    # The column's number on Biểu số 06/VPCP/KSTT (TT 01/2020), None for an extended column.
    number: int | None = None
    # The heading it sits under on the form (the first of the two header rows).
    group: str | Promise = ""


RECEIVED = _("Số hồ sơ nhận giải quyết")
RESOLVED = _("Số hồ sơ đã giải quyết")
IN_PROGRESS = _("Số lượng hồ sơ đang giải quyết")

# Columns 3–13 of the form, in its order; 1 (STT) and 2 (the row's name) are the row itself.
OFFICIAL_COLUMNS: tuple[Column, ...] = (
    Column("received_total", _("Tổng số"), 3, RECEIVED),
    Column("received_online", _("Trong đó: Trực tuyến"), 4, RECEIVED),
    Column("received_direct", _("Trong đó: Trực tiếp, dịch vụ bưu chính"), 5, RECEIVED),
    Column("carried_over", _("Từ kỳ trước"), 6, RECEIVED),
    Column("resolved_total", _("Tổng số"), 7, RESOLVED),
    Column("resolved_early", _("Trước hạn"), 8, RESOLVED),
    Column("resolved_on_time", _("Đúng hạn"), 9, RESOLVED),
    Column("resolved_late", _("Quá hạn"), 10, RESOLVED),
    Column("in_progress_total", _("Tổng số"), 11, IN_PROGRESS),
    Column("in_progress_within", _("Trong hạn"), 12, IN_PROGRESS),
    Column("in_progress_overdue", _("Quá hạn"), 13, IN_PROGRESS),
)

# The extended columns of operational dashboards (REFERENCE §2.3), all counts but the two rates.
EXTENDED_COLUMNS: tuple[Column, ...] = (
    Column("received_new", _("Mới tiếp nhận trong kỳ")),
    Column("received_counter", _("Tiếp nhận trực tiếp")),
    Column("received_postal", _("Tiếp nhận qua dịch vụ bưu chính công ích")),
    Column("received_online_full", _("Tiếp nhận trực tuyến toàn trình")),
    Column("received_online_partial", _("Tiếp nhận trực tuyến một phần")),
    Column("received_cross_boundary", _("Tiếp nhận phi địa giới")),
    Column("resolved_refused", _("Trong đó: từ chối giải quyết")),
    Column("resolved_late_apology", _("Giải quyết quá hạn, đã có thư xin lỗi")),
    Column("resolved_late_no_apology", _("Giải quyết quá hạn, chưa có thư xin lỗi")),
    Column("in_progress_overdue_apology", _("Đang giải quyết quá hạn, đã có thư xin lỗi")),
    Column("in_progress_overdue_no_apology", _("Đang giải quyết quá hạn, chưa có thư xin lỗi")),
    Column("waiting_supplement", _("Chờ bổ sung (đang giải quyết, trong hạn)")),
    Column("withdrawn", _("Công dân rút hồ sơ")),
    Column("stopped", _("Dừng xử lý")),
    Column("withdrawn_or_stopped", _("Rút hồ sơ, dừng xử lý")),
    Column("rated", _("Số lượt đánh giá")),
    Column("satisfied", _("Hài lòng, rất hài lòng")),
    Column("satisfaction_rate", _("Tỷ lệ hài lòng (%)")),
    Column("on_time_rate", _("Tỷ lệ giải quyết đúng hạn (%)")),
)

COLUMNS: tuple[Column, ...] = OFFICIAL_COLUMNS + EXTENDED_COLUMNS
COUNT_KEYS: tuple[str, ...] = tuple(
    c.key for c in COLUMNS if c.key not in ("satisfaction_rate", "on_time_rate")
)
RATE_KEYS: tuple[str, ...] = ("satisfaction_rate", "on_time_rate")


class Dimension(models.TextChoices):
    """What the rows of a table are."""

    FIELD = "field", _("Lĩnh vực")
    PROCEDURE = "procedure", _("Thủ tục")
    LEVEL = "level", _("Cấp giải quyết")
    CHANNEL = "channel", _("Kênh tiếp nhận")
    UNIT = "unit", _("Đơn vị")


class Level(models.TextChoices):
    """The level a dossier is resolved at: its processing unit's administrative owner."""

    PROVINCE = "province", _("Cấp tỉnh (sở, ban, ngành)")
    DISTRICT = "district", _("Cấp huyện (trước 01/07/2025)")
    COMMUNE = "commune", _("Cấp xã")


# The aggregate tables store a channel as a small number (ten million rows: every byte counts).
CHANNEL_CODES: dict[str, int] = {
    Channel.COUNTER: 1,
    Channel.POSTAL: 2,
    Channel.ONLINE_FULL: 3,
    Channel.ONLINE_PARTIAL: 4,
}
CHANNEL_BY_CODE: dict[int, str] = {code: name for name, code in CHANNEL_CODES.items()}
ONLINE_CODES = frozenset(
    {CHANNEL_CODES[Channel.ONLINE_FULL], CHANNEL_CODES[Channel.ONLINE_PARTIAL]}
)


class End(models.IntegerChoices):
    """How a counted dossier left processing, as the table counts it."""

    EARLY = 1, _("Trước hạn")
    ON_TIME = 2, _("Đúng hạn")
    LATE_APOLOGY = 3, _("Quá hạn, đã có thư xin lỗi")
    LATE_NO_APOLOGY = 4, _("Quá hạn, chưa có thư xin lỗi")
    WITHDRAWN = 5, _("Công dân rút hồ sơ")
    STOPPED = 6, _("Dừng xử lý")
