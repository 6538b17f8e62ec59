from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.units.io import UnitImportError, import_units, parse_units_csv, parse_units_json


class Command(BaseCommand):
    help = "Import administrative units and agencies from FILE.csv or FILE.json (docs/formats.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .csv or .json file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".json"):
            raise CommandError(f"Không hỗ trợ tệp '{path.name}': chỉ nhận .csv hoặc .json.")
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp '{path}': {exc.strerror}") from exc
        data = parse_units_csv(content) if suffix == ".csv" else parse_units_json(content)
        try:
            result = import_units(data)
        except UnitImportError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(
                f"{len(exc.messages)} lỗi trong tệp '{path.name}'; không có gì được ghi."
            ) from exc
        self.stdout.write(result.summary())
