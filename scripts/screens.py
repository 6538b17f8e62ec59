#!/usr/bin/env python
"""Screenshots of the main screens at their real sizes, into docs/screens/ (`make screens`).

Starts the app on a demo database of its own (DATA_DIR var/screens: migrated, demo loaded and
a few hundred demo dossiers generated on first use), signs in as each role, and saves PNGs of
the counter receipt, the dossier page for each role, the worklists, the citizen's space, the
tracking page, the kiosk and the board, at the sizes they are used: 1366×768 staff desk,
360×740 phone, 1080×1920 kiosk, 1920×1080 board. Pages longer than the screen are captured
down to MAX_HEIGHT. The PNGs are reduced to 256 colours (Pillow) to keep docs/ small.

    .venv/bin/python scripts/screens.py              # everything, fresh server on a free port
    .venv/bin/python scripts/screens.py --only kiosk board
    .venv/bin/python scripts/screens.py --base-url http://127.0.0.1:8000  # a running demo

Needs Playwright and Debian's /usr/bin/chromium (as the browser tests do). Nothing is fetched
from the internet."""

from __future__ import annotations

import argparse
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screens"
DEMO_PASSWORD = "cchc-demo"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
MAX_HEIGHT = 2400

DESK = (1366, 768)
PHONE = (360, 740)
KIOSK = (1080, 1920)
BOARD = (1920, 1080)

ROLE_NAMES = {
    "reception": "tiếp nhận",
    "specialist": "chuyên viên",
    "leader": "lãnh đạo",
    "supervisor": "giám sát (chỉ xem)",
    "control": "kiểm soát TTHC",
}
# role → demo account (cchc/portal/management/commands/load_demo.py)
ACCOUNTS = {
    "reception": "tiepnhan.ngason",
    "specialist": "chuyenvien.ngason",
    "leader": "lanhdao.ngason",
    "supervisor": "giamsat.tinh",
    "control": "kiemsoat.ngason",  # keeps the register, runs SIPAS, self-assesses the PAR Index
}


@dataclass
class Shot:
    name: str
    title: str
    path: str
    size: tuple[int, int]
    role: str = ""  # "", a key of ACCOUNTS, or "citizen"
    full: bool = False
    invalid_submit: str = ""  # CSS selector of a form to send empty, to show its errors
    shown_path: str = ""  # the address as the README shows it (a one-time token left out)


def _env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATA_DIR": str(data_dir),
            "CCHC_DEMO": "1",
            "DEBUG": "1",  # static files from the finders, no collectstatic needed
            "WHITENOISE_USE_FINDERS": "1",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.pop("DATABASE_URL", None)  # the demo database in DATA_DIR, never a shared one
    return env


def _manage(data_dir: Path, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=_env(data_dir), check=True)


def prepare(data_dir: Path) -> None:
    fresh = not (data_dir / "cchc.sqlite3").exists()
    data_dir.mkdir(parents=True, exist_ok=True)
    _manage(data_dir, "migrate", "--noinput", "-v", "0")
    if fresh:
        _manage(data_dir, "load_demo")
    # The PAR Index, the register and SIPAS (idempotent: an older demo database gets them too).
    _manage(data_dir, "load_par_demo")
    if fresh:
        _manage(data_dir, "generate_demo", "--dossiers", "300", "--years", "1", "--once")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(data_dir: Path) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=_env(data_dir),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/", timeout=10) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the server did not start") from None
                time.sleep(1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _django(data_dir: Path) -> None:
    os.environ.update(_env(data_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def pick_examples(data_dir: Path) -> dict[str, str]:
    """A dossier being processed in the demo commune, one waiting for a fee, a citizen with
    dossiers, and a signed-in citizen session (made directly: the one-time code goes by SMS)."""
    _django(data_dir)
    from importlib import import_module

    from django.conf import settings

    from cchc.dossiers.choices import Status
    from cchc.dossiers.models import Dossier
    from cchc.portal.models import Citizen
    from cchc.portal.views import CITIZEN_SESSION_KEY

    open_ = Dossier.objects.filter(receiving_unit__code="16300").order_by("-received_at")
    processing = (
        open_.filter(status=Status.PROCESSING).first()
        or open_.filter(status=Status.RECEIVED).first()
        or open_.first()
    )
    if processing is None:
        raise SystemExit("the demo has no dossier in commune 16300")
    fees = Dossier.objects.filter(fee_due_vnd__gt=0).order_by("-received_at")
    paying = fees.filter(status=Status.PAYMENT).first() or fees.first()
    with_phone = open_.exclude(applicant_phone="").first() or processing
    citizen, _created = Citizen.objects.get_or_create(
        phone=with_phone.applicant_phone, defaults={"name": with_phone.applicant_name}
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[CITIZEN_SESSION_KEY] = citizen.pk
    store.save()
    return {
        "dossier": processing.code,
        "paying": (paying or processing).code,
        "citizen_session": str(store.session_key),
        "session_cookie": settings.SESSION_COOKIE_NAME,
        **pick_par_examples(),
    }


def pick_par_examples() -> dict[str, str]:
    """load_par_demo's pages: Nga Sơn's two assessments, its register's signed plan and the
    report ticked "signed" without a signature, the CCHC plan, the published 2025 SIPAS round
    and this year's open one, with a counter tablet opened on it (a real kiosk token)."""
    from cchc.accounts.models import User
    from cchc.parindex.models import Assessment
    from cchc.records.models import CchcPlan, OfficialDocument
    from cchc.surveys import actions as surveys
    from cchc.surveys.choices import RoundStatus
    from cchc.surveys.models import SurveyRound

    assessments = Assessment.objects.filter(unit__code="16300")
    register = OfficialDocument.objects.filter(unit__code="16300", year=2025)
    plan = register.get(reference="12/KH-UBND")
    rounds = SurveyRound.objects.filter(unit__code="16300")
    past = rounds.filter(status=RoundStatus.PUBLISHED).order_by("-period_end").first()
    current = rounds.filter(status=RoundStatus.OPEN).order_by("-period_end").first()
    if past is None or current is None:
        raise SystemExit("the demo has no SIPAS rounds: run manage.py load_par_demo")
    officer = User.objects.get(username=ACCOUNTS["control"])
    kiosk = surveys.open_kiosk(current, unit=current.unit, by=officer)
    return {
        "par_past": str(assessments.get(year=2022).pk),
        "par_current": str(assessments.get(year=2025).pk),
        "document": str(plan.pk),
        "document_flagged": str(register.get(reference="78/BC-UBND").pk),
        "plan": str(CchcPlan.objects.get(document=plan).pk),
        "round_past": str(past.pk),
        "round_current": str(current.pk),
        "kiosk_token": kiosk,
    }


def shots(examples: dict[str, str]) -> list[Shot]:
    code, paying = examples["dossier"], examples["paying"]
    out = [
        Shot("home-desk", "Trang chủ, máy bàn", "/", DESK),
        Shot("home-phone", "Trang chủ, điện thoại", "/", PHONE, full=True),
        Shot("menu-phone", "Trang chủ, điện thoại, danh mục mở", "/", PHONE),
        Shot(
            "receipt-counter",
            "Tiếp nhận hồ sơ tại quầy",
            "/lam-viec/ho-so/tiep-nhan/",
            DESK,
            "reception",
            full=True,
        ),
    ]
    for role in ACCOUNTS:
        out.append(
            Shot(
                f"dossier-{role}",
                f"Trang hồ sơ, vai trò {ROLE_NAMES[role]}",
                f"/lam-viec/ho-so/{code}/",
                DESK,
                role,
                full=True,
            )
        )
        out.append(
            Shot(
                f"worklist-{role}",
                f"Danh sách hồ sơ, vai trò {ROLE_NAMES[role]}",
                "/lam-viec/ho-so/",
                DESK,
                role,
                full=True,
            )
        )
    out += [
        Shot(
            "citizen-space-phone",
            "Không gian công dân, điện thoại",
            "/cong-dan/",
            PHONE,
            "citizen",
            full=True,
        ),
        Shot(
            "track-fee-phone",
            "Tra cứu hồ sơ (phí, lệ phí), điện thoại",
            f"/tra-cuu/{paying}/",
            PHONE,
            full=True,
        ),
        Shot(
            "form-errors-phone",
            "Lỗi nhập liệu: tóm tắt và tại ô",
            "/phan-anh/",
            PHONE,
            full=True,
            invalid_submit="main form[method=post]",
        ),
        Shot("kiosk", "Máy lấy số 1080×1920", "/xep-hang/16300/", KIOSK),
        Shot("board", "Màn hình gọi số 1920×1080", "/man-hinh/16300/", BOARD),
    ]
    return out + par_shots(examples)


def par_shots(examples: dict[str, str]) -> list[Shot]:
    """The PAR Index, the evidence register and SIPAS (load_par_demo), as the commune's TTHC
    control officer sees them: at the desk, and the main ones on a phone."""
    par = "/lam-viec/chi-so-cchc/"
    past, current = examples["par_past"], examples["par_current"]
    rounds = "/lam-viec/khao-sat/dot/"
    main = [
        ("par-assessments", "Chỉ số CCHC: danh sách kỳ đánh giá", par),
        ("par-2022", "Chỉ số CCHC 2022: điểm bị trừ", f"{par}{past}/"),
        ("par-2025", "Chỉ số CCHC 2025: đang thẩm định lần 1", f"{par}{current}/"),
        ("par-compare", "Chỉ số CCHC qua các năm", f"{par}don-vi/16300/so-sanh/"),
        ("par-remediation", "Nhiệm vụ khắc phục điểm bị trừ 2022", f"{par}{past}/khac-phuc/"),
        (
            "par-criterion",
            "Tiêu chí 1.2: điểm bị trừ, văn bản chưa ký số",
            f"{par}{current}/tieu-chi/1.2/",
        ),
        ("records-register", "Sổ văn bản", "/lam-viec/van-ban/"),
        ("records-document", "Văn bản đã ký số", f"/lam-viec/van-ban/{examples['document']}/"),
        ("records-plan", "Kế hoạch CCHC và nhiệm vụ", f"/lam-viec/ke-hoach/{examples['plan']}/"),
        (
            "sipas-results",
            "Khảo sát SIPAS 2025: chỉ số",
            f"{rounds}{examples['round_past']}/ket-qua/",
        ),
        (
            "sipas-paper",
            "Khảo sát SIPAS: nhập phiếu giấy",
            f"{rounds}{examples['round_current']}/nhap-phieu/",
        ),
    ]
    out = []
    for name, title, path in main:
        out.append(Shot(f"{name}-desk", f"{title}, máy bàn", path, DESK, "control", full=True))
        out.append(Shot(f"{name}-phone", f"{title}, điện thoại", path, PHONE, "control", full=True))
    out += [
        Shot(
            "records-document-flagged-desk",
            "Văn bản ghi đã ký nhưng tệp không có chữ ký số, máy bàn",
            f"/lam-viec/van-ban/{examples['document_flagged']}/",
            DESK,
            "control",
            full=True,
        ),
        Shot(
            "sipas-round-desk",
            "Đợt khảo sát SIPAS đang thu phiếu, máy bàn",
            f"{rounds}{examples['round_current']}/",
            DESK,
            "control",
            full=True,
        ),
        Shot(
            "sipas-kiosk",
            "Khảo sát SIPAS trên máy tính bảng tại quầy 1080×1920",
            f"/khao-sat/quay/{examples['kiosk_token']}/",
            KIOSK,
            full=True,
            shown_path="/khao-sat/quay/<token>/",
        ),
    ]
    return out


def _save(png: bytes, path: Path) -> None:
    """At most MAX_HEIGHT tall, 256 colours: a tenth of the size, text still crisp."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.height > MAX_HEIGHT:
        image = image.crop((0, 0, image.width, MAX_HEIGHT))
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True
    )


def capture(base: str, examples: dict[str, str], only: set[str]) -> list[tuple[Shot, Path]]:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    done: list[tuple[Shot, Path]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        contexts: dict[tuple[str, tuple[int, int]], Any] = {}

        def context_for(role: str, size: tuple[int, int]) -> Any:
            key = (role, size)
            if key in contexts:
                return contexts[key]
            touch = size in (PHONE, KIOSK)
            ctx = browser.new_context(
                viewport={"width": size[0], "height": size[1]},
                locale="vi-VN",
                timezone_id="Asia/Ho_Chi_Minh",
                has_touch=touch,
                is_mobile=size == PHONE,
                device_scale_factor=1,
            )
            if role == "citizen":
                ctx.add_cookies(
                    [
                        {
                            "name": examples["session_cookie"],
                            "value": examples["citizen_session"],
                            "url": base,
                        }
                    ]
                )
            elif role:
                page = ctx.new_page()
                # A few tries: the job worker's start-up work may hold SQLite's write lock a
                # moment while the sign-in writes its session.
                for _attempt in range(5):
                    page.goto(base + "/tai-khoan/dang-nhap/")
                    page.fill("#id_username", ACCOUNTS[role])
                    page.fill("#id_password", DEMO_PASSWORD)
                    page.click("main button[type=submit]")
                    page.wait_for_load_state()
                    if "/dang-nhap/" not in page.url:
                        break
                    page.wait_for_timeout(2000)
                page.close()
            contexts[key] = ctx
            return ctx

        for shot in shots(examples):
            if only and shot.name not in only:
                continue
            page = context_for(shot.role, shot.size).new_page()
            page.goto(base + shot.path)
            # "load", not "networkidle": the board and the kiosk poll for ever.
            page.wait_for_load_state("load")
            page.wait_for_timeout(400)
            if shot.name == "menu-phone":
                page.click("#site-menu > summary")
            if shot.invalid_submit:
                page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
                page.locator(shot.invalid_submit).locator("button[type=submit]").last.click()
                page.wait_for_load_state("load")
            path = OUT / f"{shot.name}.png"
            _save(page.screenshot(full_page=shot.full), path)
            page.close()
            done.append((shot, path))
            print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KiB")
        browser.close()
    return done


def write_readme(all_shots: list[Shot]) -> None:
    """Every shot whose PNG is here (a run with --only keeps the others' lines)."""
    done = [(shot, OUT / f"{shot.name}.png") for shot in all_shots]
    done = [(shot, path) for shot, path in done if path.exists()]
    lines = [
        "# Screens",
        "",
        "Made by `make screens` (`scripts/screens.py`) on the demo data: each page at the size it",
        "is used (staff desk 1366×768, phone 360×740, kiosk 1080×1920, board 1920×1080). Long pages",
        f"are captured to {MAX_HEIGHT} px. Run it again after changing a screen, and look.",
        "",
        "| File | Screen | Size |",
        "|---|---|---|",
    ]
    for shot, path in sorted(done, key=lambda item: item[0].name):
        lines.append(
            f"| [{path.name}]({path.name}) | {shot.title} (`{shot.shown_path or shot.path}`) | {shot.size[0]}×{shot.size[1]} |"
        )
    lines += [
        "",
        "Then `make screens` runs two browser tests with `CCHC_SCREENS=docs/screens`, which add",
        "`counter-0…4-*.png` (the counter receipt's steps, 1366×768, from",
        "`cchc/dossiers/tests/test_counter_browser.py`) and `citizen-*-desk.png` / `citizen-*-phone.png`",
        "(sign-in, the citizen's space, a PAKN looked up and answered, at 1366×768 and 360×740, from",
        "`cchc/portal/tests/browser/test_screens_citizen.py`).",
    ]
    total = sum(p.stat().st_size for p in OUT.glob("*.png"))
    lines += ["", f"Total (all PNG files here): {total / 1024 / 1024:.1f} MB.", ""]
    (OUT / "README.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="a running demo server instead of starting one")
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "screens"))
    parser.add_argument("--only", nargs="*", default=[], help="names of the shots to take")
    args = parser.parse_args()
    data_dir = Path(args.data_dir).resolve()
    if not args.base_url:
        prepare(data_dir)
    examples = pick_examples(data_dir)
    if args.base_url:
        capture(args.base_url.rstrip("/"), examples, set(args.only))
    else:
        with server(data_dir) as base:
            capture(base, examples, set(args.only))
    write_readme(shots(examples))


if __name__ == "__main__":
    main()
