from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from cchc.lib.numbers import localised
from cchc.portal import backups


def _when(manifest: dict[str, Any]) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(manifest.get("created_at")))
    except ValueError:
        return "?"
    return f"{timezone.localtime(moment):%H:%M %d/%m/%Y}"


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup`: checks every member against the archive's manifest, "
        "then replaces the database (one transaction) and the media folder. Stop the web server "
        "and the workers first. Needs --yes."
    )
    # Vietnamese number format in the summary.
    leave_locale_alone = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the .tar file written by `manage.py backup`")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="confirm: the current database and uploaded files are replaced",
        )
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="check the archive against its manifest and stop (changes nothing)",
        )
        parser.add_argument(
            "--lock-timeout",
            type=int,
            default=15,
            help="seconds to wait for other connections' locks before giving up (PostgreSQL)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        verify_only = options["verify_only"]
        if not verify_only and not options["yes"]:
            raise CommandError(
                "Khôi phục sẽ thay toàn bộ cơ sở dữ liệu và thư mục tệp tải lên bằng nội dung của "
                f"{archive.name}. Dừng máy chủ web và tiến trình xử lý việc, rồi chạy lại với --yes "
                "để xác nhận (hoặc --verify-only để chỉ kiểm tra bản sao lưu)."
            )
        if not archive.is_file():
            raise CommandError(f"Không thấy tệp {archive}.")
        settings_dict = connections[DEFAULT_DB_ALIAS].settings_dict
        media_root = Path(settings.MEDIA_ROOT)
        try:
            engine = backups.engine_of(settings_dict)
            staged = backups.stage(archive, media_root=media_root, engine=engine)
        except backups.BackupError as exc:
            raise CommandError(f"{exc} Không có gì bị thay đổi.") from exc
        manifest = staged.manifest
        count = len(manifest["files"])
        made = _when(manifest)
        if verify_only:
            staged.discard()
            self.stdout.write(
                self.style.SUCCESS(
                    f"{archive.name}: {localised(count)} thành phần khớp tổng kiểm tra "
                    f"(sao lưu lúc {made}, cơ sở dữ liệu {manifest['engine']})."
                )
            )
            return
        try:
            backups.close_connections()
            backups.restore_database(
                settings_dict, staged.database, lock_timeout=options["lock_timeout"]
            )
        except backups.BackupError as exc:
            staged.discard()
            raise CommandError(
                f"{exc} Cơ sở dữ liệu và tệp tải lên giữ nguyên như trước khi chạy lệnh."
            ) from exc
        staged.discard_scratch()
        try:
            previous = backups.swap_media(staged.media, media_root)
        except OSError as exc:
            raise CommandError(
                f"Đã khôi phục cơ sở dữ liệu nhưng không thay được thư mục tệp {media_root}: {exc}. "
                f"Các tệp đã giải nén nằm ở {staged.media}: chuyển chúng vào {media_root}."
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã khôi phục {archive.name} (sao lưu lúc {made}): "
                f"cơ sở dữ liệu và {localised(count - 1)} tệp."
            )
        )
        if previous is not None:
            self.stdout.write(
                f"Thư mục tệp cũ được giữ ở {previous} (tệp tải lên sau thời điểm sao lưu nằm ở "
                "đó); xóa khi không cần nữa."
            )
        note = backups.migration_state(manifest)
        if note.unknown:
            self.stdout.write(
                self.style.WARNING(
                    "Bản sao lưu từ phiên bản CCHC mới hơn mã nguồn này (có "
                    f"{', '.join(note.unknown[:3])}): cập nhật mã nguồn trước khi chạy."
                )
            )
        elif note.pending:
            self.stdout.write(
                "Bản sao lưu từ phiên bản cũ hơn: chạy `manage.py migrate` trước khi khởi động."
            )
