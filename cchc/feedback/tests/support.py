"""The PAKN tests' helpers: a PAKN sent to commune A through the action, and the public form's
fields as a citizen fills them in."""

from __future__ import annotations

from typing import Any

from cchc.feedback import pakn
from cchc.feedback.models import Feedback
from cchc.testing import World, at


def send(world: World, **overrides: Any) -> Feedback:
    values: dict[str, Any] = {
        "unit": world.commune_a,
        "kind": "report",
        "subject": "procedure",
        "content": "Thủ tục chứng thực yêu cầu thêm giấy tờ không có trong danh mục.",
        "at": at("2026-03-02", 9),
    }
    values.update(overrides)
    return pakn.submit_feedback(**values)


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "unit": "16300",
        "kind": "report",
        "subject": "regulation",
        "content": "Quy định về giờ tiếp dân chưa được niêm yết tại trụ sở.",
        "name": "",
        "phone": "",
        "email": "",
        "website": "",
    }
    data.update(overrides)
    return data
