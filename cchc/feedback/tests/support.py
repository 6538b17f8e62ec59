"""The PAKN tests' helper: a PAKN sent to commune A, as the public form sends it."""

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
