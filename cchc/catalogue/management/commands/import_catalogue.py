from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.catalogue.io import (
    CatalogueImportError,
    import_catalogue,
    parse_catalogue_json,
    parse_catalogue_xlsx,
)


class Command(BaseCommand):
    help = "Import the procedure catalogue from FILE.json or FILE.xlsx (docs/formats.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .json or .xlsx file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        suffix = path.suffix.lower()
        if suffix not in (".json", ".xlsx"):
            raise CommandError(f"Không hỗ trợ tệp '{path.name}': chỉ nhận .json hoặc .xlsx.")
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp '{path}': {exc.strerror}") from exc
        data = parse_catalogue_json(content) if suffix == ".json" else parse_catalogue_xlsx(content)
        try:
            result = import_catalogue(data)
        except CatalogueImportError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(
                f"{len(exc.messages)} lỗi trong tệp '{path.name}'; không có gì được ghi."
            ) from exc
        self.stdout.write(result.summary())
