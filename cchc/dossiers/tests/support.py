"""What several dossier test modules share: a line of the historical import and its runner, the
counter receipt the API tests post, a minimal PNG."""

from __future__ import annotations

import io
import json
from typing import Any

from cchc.dossiers.importing import SYSTEM, ImportResult, import_dossiers
from cchc.testing import World

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


RECEIPT = {
    "procedure": "2.000815",
    "unit": "16300",
    "applicant": {"name": "Nguyễn Văn An", "id_number": "038090001234", "phone": "0912345678"},
    "documents": [{"position": 1, "originals": 1}],
}


def entry(world: World, **overrides: Any) -> dict[str, Any]:
    """A dossier of the 3-working-day certification procedure, received Mon 04/08/2025 09:00
    in commune A: due Thu 07/08/2025 17:00 when the line does not say."""
    values: dict[str, Any] = {
        "external_id": "old-1",
        "procedure": world.copy.code,
        "unit": world.commune_a.code,
        "channel": "counter",
        "applicant": {"name": "Nguyễn Văn An", "id_number": "038090001234", "phone": "0912345678"},
        "received_at": "2025-08-04T09:00:00+07:00",
        "status": "processing",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def ndjson(*lines: dict[str, Any] | str) -> io.BytesIO:
    text = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)
    return io.BytesIO((text + "\n").encode())


def run(*lines: dict[str, Any] | str, by: Any = SYSTEM, **kwargs: Any) -> ImportResult:
    return import_dossiers(ndjson(*lines), by=by, **kwargs)
