from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.dossiers.importing import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MAX_ERRORS,
    SYSTEM,
    ImportResult,
    import_dossiers,
    may_import,
    refuse_import,
)


class Command(BaseCommand):
    help = (
        "Import historical dossiers from FILE.jsonl, one JSON object per line (docs/formats.md). "
        "Valid lines are imported even when others fail; the exit code is 1 if any line failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="an NDJSON file, or - for standard input")
        parser.add_argument(
            "--user",
            help="import as this username: they must hold an import role (DOSSIER_IMPORT_ROLES, "
            "by default TTHC control or administrator), and only into the units it reaches; "
            "without it the command runs as the system, allowed every unit",
        )
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument(
            "--max-errors",
            type=int,
            default=DEFAULT_MAX_ERRORS,
            help="errors to list (all are counted); 0 lists them all",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        by: Any = SYSTEM
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None or not user.is_active:
                raise CommandError(f"Không có tài khoản đang hoạt động '{options['user']}'.")
            if not may_import(user):
                # Before the file is opened: nothing is read for someone who may not import.
                raise CommandError(refuse_import())
            by = user
        if options["batch_size"] < 1:
            raise CommandError("--batch-size phải lớn hơn 0.")
        verbose = options["verbosity"] >= 2

        def progress(result: ImportResult) -> None:
            if verbose:
                self.stderr.write(f"… {result.lines} dòng", ending="\r")

        name = options["file"]
        stream: IO[bytes]
        try:
            stream = sys.stdin.buffer if name == "-" else Path(name).open("rb")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp '{name}': {exc.strerror}") from exc
        try:
            result = import_dossiers(
                stream,
                by=by,
                batch_size=options["batch_size"],
                max_errors=options["max_errors"] or None,
                progress=progress,
            )
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()
        for error in result.errors:
            self.stderr.write(f"dòng {error.line}: {error.error}")
        if result.errors_truncated:
            self.stderr.write(f"… và {result.failed - len(result.errors)} lỗi khác.")
        self.stdout.write(result.summary())
        if result.failed:
            # The valid lines are already committed: the failure concerns the listed lines only.
            raise CommandError(
                f"{result.failed} dòng lỗi không được nhập; các dòng hợp lệ đã được nhập.",
                returncode=1,
            )
