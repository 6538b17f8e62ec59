"""Load the PAR Index criteria sets shipped as data (cchc/parindex/data), or one set from a
.json or .xlsx file: the whole set or nothing, every error listed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cchc.parindex.criteria import (
    SHIPPED_SETS,
    CriteriaSetError,
    load_shipped,
    read_json,
    read_xlsx,
    save_set,
)
from cchc.parindex.models import CriteriaSet


class Command(BaseCommand):
    help = "Nạp các bộ tiêu chí Chỉ số CCHC mẫu, hoặc một bộ từ tệp .json/.xlsx (docs/parindex.md)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?", help="tệp .json hoặc .xlsx; bỏ trống: các bộ mẫu")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["file"]:
                path = Path(options["file"])
                reader = {".json": read_json, ".xlsx": read_xlsx}.get(path.suffix.lower())
                if reader is None:
                    raise CommandError(
                        f"Không hỗ trợ tệp '{path.name}': chỉ nhận .json hoặc .xlsx."
                    )
                specs = [reader(path.read_bytes())]
            else:
                specs = [load_shipped(name) for name in SHIPPED_SETS]
            for spec in specs:
                if (
                    not options["file"]
                    and CriteriaSet.objects.filter(code=spec.code, year=spec.year).exists()
                ):
                    self.stdout.write(f"{spec.code} ({spec.year}): đã có, giữ nguyên.")
                    continue
                saved = save_set(spec)
                self.stdout.write(
                    f"{saved.code} ({saved.year}): {saved.criteria.count()} tiêu chí."
                )
        except CriteriaSetError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(f"{len(exc.messages)} lỗi; không có gì được ghi.") from exc
