from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.lib.numbers import localised
from cchc.portal.backups import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, or SQLite's online backup) and the uploaded files into "
        "one dated archive with a checksum manifest: DIR/cchc-YYYYMMDD-HHMMSS.tar."
    )
    # Vietnamese number format in the summary.
    leave_locale_alone = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", required=True, help="folder for the archive (created if missing)"
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help="afterwards keep only the newest N archives in the folder (default: keep all)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        keep = options["keep"]
        if keep is not None and keep < 1:
            raise CommandError("--keep phải từ 1 trở lên.")
        try:
            result = make_backup(Path(options["output"]), keep=keep)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã sao lưu vào {result.path} ({localised(result.size)} byte; "
                f"{localised(result.files)} thành phần, tệp tải lên {localised(result.media_bytes)} byte)."
            )
        )
        self.stdout.write(f"Tổng kiểm tra: {result.path}.sha256")
        for old in result.removed:
            self.stdout.write(f"Đã xóa bản cũ: {old.name}")
