"""The shape every file import command shares: pick the parser by extension, read the file,
import it all or nothing, and print either the summary or every error (the report of the shared
import checker, cchc.lib.importing)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cchc.lib.importing import ImportFileError


class FileImportCommand(BaseCommand):
    parsers: Mapping[str, Callable[[bytes], Any]] = {}

    def importer(self, data: Any) -> Any:
        raise NotImplementedError

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help=" or ".join(self.parsers) + " file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        parse = self.parsers.get(path.suffix.lower())
        if parse is None:
            accepted = " hoặc ".join(self.parsers)
            raise CommandError(f"Không hỗ trợ tệp '{path.name}': chỉ nhận {accepted}.")
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp '{path}': {exc.strerror}") from exc
        try:
            result = self.importer(parse(content))
        except ImportFileError as exc:
            messages = exc.messages
            for message in messages:
                self.stderr.write(message)
            raise CommandError(
                f"{len(messages)} lỗi trong tệp '{path.name}'; không có gì được ghi."
            ) from exc
        self.stdout.write(result.summary())
