from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from cchc.portal.management.commands.load_demo import DEMO_PASSWORD, DEMO_STAFF


class Command(BaseCommand):
    help = "Run the embedded platform: the job worker and the web server (gunicorn) together."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", default=os.environ.get("WEB_WORKERS", "2"))

    def handle(self, *args: Any, **options: Any) -> None:
        # The officers' morning reminders re-schedule themselves; this starts the chain once.
        call_command("send_reminders", schedule=True, stdout=self.stdout)
        # Likewise the queue's nightly closing of past days (tickets no-show, appointments expired).
        call_command("close_queue_days", schedule=True, stdout=self.stdout)
        worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--interval", "1"])
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(
            self.style.SUCCESS(f"\nCCHC đang chạy tại {url}  (quản trị: {url}quan-tri/)")
        )
        if settings.DEMO:
            self.stdout.write(f"Tài khoản mẫu (mật khẩu '{DEMO_PASSWORD}'): admin")
            for username, _name, unit, role in DEMO_STAFF:
                self.stdout.write(f"  {username:22} {role.label} – đơn vị {unit}")
        self.stdout.write("Dừng: Ctrl+C\n")
        web = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "cchc.wsgi",
                "--bind", f"{options['host']}:{options['port']}",
                "--workers", str(options["workers"]), "--threads", "4",
                "--access-logfile", "-", "--log-level", "warning",
                # Path only, never the query string: it may carry a phone number.
                "--access-logformat", "%(h)s %(t)s \"%(m)s %(U)s\" %(s)s %(b)s %(M)sms",
            ]
        )  # fmt: skip
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for proc in (web, worker):
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in (web, worker):
                proc.wait(timeout=15)
