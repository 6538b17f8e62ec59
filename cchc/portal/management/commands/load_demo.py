from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from cchc.accounts.models import User
from cchc.catalogue.models import Procedure
from cchc.portal.demo_dossiers import load_demo_dossiers
from cchc.tickets.models import Counter
from cchc.units.choices import Role
from cchc.units.models import Membership, Unit

APPS = Path(__file__).resolve().parents[3]
UNITS_FILE = APPS / "units" / "demo" / "units.csv"
CATALOGUE_FILE = APPS / "catalogue" / "demo" / "catalogue.json"
DEMO_PASSWORD = "cchc-demo"

# (username, full name, unit code, role): one province, two communes, every role.
DEMO_STAFF = [
    ("tiepnhan.ngason", "Nguyễn Thị Lan", "16300", Role.RECEPTION),
    ("chuyenvien.ngason", "Trần Văn Minh", "16300", Role.SPECIALIST),
    ("lanhdao.ngason", "Lê Văn Hùng", "16300", Role.LEADER),
    ("kiemsoat.ngason", "Phạm Thị Hoa", "16300", Role.TTHC_CONTROL),
    ("tiepnhan.ngathang", "Hoàng Thị Mai", "16303", Role.RECEPTION),
    ("chuyenvien.ngathang", "Vũ Văn Nam", "16303", Role.SPECIALIST),
    ("kiemsoat.tinh", "Đỗ Thị Thu", "38", Role.TTHC_CONTROL),
    ("thamdinh.tinh", "Bùi Văn Sơn", "38", Role.APPRAISER),
    ("giamsat.tinh", "Ngô Thị Hằng", "38", Role.SUPERVISOR),
]


class Command(BaseCommand):
    help = "Load the demo province, communes, catalogue and staff accounts (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="re-import even if the demo is loaded"
        )
        parser.add_argument(
            "--no-dossiers",
            action="store_true",
            help="without the demo dossiers (the benchmarks make their own)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if (
            not options["force"]
            and User.objects.filter(username="admin").exists()
            and Procedure.objects.exists()
        ):
            self.stdout.write("Dữ liệu mẫu đã có; bỏ qua (dùng --force để nạp lại).")
            return
        call_command("import_units", str(UNITS_FILE), stdout=self.stdout)
        call_command("import_catalogue", str(CATALOGUE_FILE), stdout=self.stdout)
        with transaction.atomic():
            self._create_accounts()
        if not options["no_dossiers"]:
            made = load_demo_dossiers()
            self.stdout.write(f"Hồ sơ mẫu tại xã Nga Sơn: {made}.")
        self.stdout.write(self.style.SUCCESS("Đã nạp dữ liệu mẫu."))

    def _create_accounts(self) -> None:
        admin, created = User.objects.get_or_create(
            username="admin",
            defaults={"is_staff": True, "is_superuser": True, "full_name": "Quản trị hệ thống"},
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        for username, full_name, unit_code, role in DEMO_STAFF:
            user, created = User.objects.get_or_create(
                username=username, defaults={"full_name": full_name}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            unit = Unit.objects.current().get(code=unit_code)
            Membership.objects.get_or_create(user=user, unit=unit, role=role)
        # Two counters at Nga Sơn, one at Nga Thắng, so the kiosk, board and booking work.
        for unit_code, numbers in (("16300", (1, 2)), ("16303", (1,))):
            unit = Unit.objects.current().get(code=unit_code)
            for number in numbers:
                Counter.objects.get_or_create(
                    unit=unit, number=number, defaults={"name": f"Quầy {number}"}
                )
