from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.catalogue.io import export_catalogue_json, export_catalogue_xlsx


class Command(BaseCommand):
    help = "Export the whole procedure catalogue to FILE as JSON or xlsx (docs/formats.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format", choices=["json", "xlsx"], help="default: from the file's extension"
        )
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        file_format = options["format"] or path.suffix.lower().lstrip(".")
        if file_format not in ("json", "xlsx"):
            raise CommandError("Cần --format json hoặc --format xlsx.")
        if file_format == "json":
            text = json.dumps(export_catalogue_json(), ensure_ascii=False, indent=2) + "\n"
            content = text.encode("utf-8")
        else:
            content = export_catalogue_xlsx()
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Không ghi được tệp '{path}': {exc.strerror}") from exc
        self.stdout.write(f"Đã xuất danh mục ra '{path}'.")
