from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from cchc.ops.supervisor import Child, Supervisor
from cchc.portal.management.commands.load_demo import DEMO_PASSWORD, DEMO_STAFF


class Command(BaseCommand):
    help = (
        "Run the embedded platform: the web server (gunicorn) and the job worker together, each "
        "started again if it exits (cchc/ops/supervisor.py)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", default=os.environ.get("WEB_WORKERS", "2"))

    def handle(self, *args: Any, **options: Any) -> None:
        # The officers' morning reminders re-schedule themselves; this starts the chain once.
        call_command("send_reminders", schedule=True, stdout=self.stdout)
        # Likewise the queue's nightly closing of past days (tickets no-show, appointments expired).
        call_command("close_queue_days", schedule=True, stdout=self.stdout)
        manage = str(settings.BASE_DIR / "manage.py")
        # Metrics of the web server's worker processes, merged at /metrics (one folder per port).
        metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or str(
            settings.DATA_DIR / f"prometheus-{options['port']}"
        )
        web = Child(
            "web server",
            [
                sys.executable, "-m", "gunicorn", "cchc.wsgi",
                "--config", "python:cchc.ops.gunicorn_conf",
                "--bind", f"{options['host']}:{options['port']}",
                "--workers", str(options["workers"]), "--threads", "4",
            ],
            env={"PROMETHEUS_MULTIPROC_DIR": metrics_dir},
            # gunicorn imports its config and the application from the project's folder.
            cwd=str(settings.BASE_DIR),
        )  # fmt: skip
        worker = Child("job worker", [sys.executable, manage, "worker", "--interval", "1"])
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(
            self.style.SUCCESS(f"\nCCHC đang chạy tại {url}  (quản trị: {url}quan-tri/)")
        )
        if settings.DEMO:
            self.stdout.write(f"Tài khoản mẫu (mật khẩu '{DEMO_PASSWORD}'): admin")
            for username, _name, unit, role in DEMO_STAFF:
                self.stdout.write(f"  {username:22} {role.label} – đơn vị {unit}")
        self.stdout.write("Dừng: Ctrl+C\n")
        self.stdout.flush()
        Supervisor([worker, web]).run()
