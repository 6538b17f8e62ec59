"""`manage.py backup` and `manage.py restore`: a populated instance (the demo, plus uploaded
files) goes through an archive and comes back identical, table by table and file by file, on
the database the tests run on (SQLite or PostgreSQL); a damaged or foreign archive changes
nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from fpdf import FPDF
from PIL import Image

from cchc.accounts.models import User
from cchc.dossiers import actions
from cchc.dossiers.models import Dossier, DossierDocument
from cchc.portal import backups
from cchc.portal.tests.databases import (
    child_environment,
    database_url,
    is_postgresql,
    manage,
    other_connection,
)
from cchc.units.models import Unit

# Refusals run inside the test's transaction (a backup of the empty database is enough to see
# that nothing changes); round trips commit, because pg_dump and the restore run elsewhere.
pytestmark = pytest.mark.django_db
round_trip = pytest.mark.django_db(transaction=True)


# -- what "identical" means -----------------------------------------------------------------------


def tables(connection: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (Django's, the cache, the job queue…), in a stable order."""
    names = connection.introspection.table_names()
    if connection.vendor == "sqlite":
        names.append("sqlite_sequence")
    rows = {}
    with connection.cursor() as cursor:
        for name in sorted(names):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(name)}")
            rows[name] = sorted(cursor.fetchall(), key=repr)
        if connection.vendor == "postgresql":
            # The next id each table hands out: a restore that loses them breaks the next insert.
            cursor.execute("SELECT sequencename, last_value FROM pg_sequences ORDER BY 1")
            rows["(sequences)"] = cursor.fetchall()
    return rows


def files(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


# -- a populated instance -------------------------------------------------------------------------


def _pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text="Ban sao giay khai sinh")
    return bytes(pdf.output())


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "instance" / "media"
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def demo(media: Path) -> Path:
    """The demo province with its dossiers, and scans uploaded to two of them."""
    call_command("load_demo", stdout=io.StringIO())
    clerk = User.objects.get(username="tiepnhan.ngason")
    open_dossiers = Dossier.objects.filter(status__in=["received", "processing"]).order_by("pk")
    for dossier, (name, content) in zip(
        open_dossiers[:2], [("scan.pdf", _pdf()), ("anh.png", _png())], strict=True
    ):
        actions.attach_document(
            dossier, by=clerk, file=SimpleUploadedFile(name, content), name="Bản quét"
        )
    assert DossierDocument.objects.exclude(file="").count() == 2
    assert len(files(media)) == 2
    return media


@pytest.fixture
def small(media: Path) -> Path:
    """A unit and one stored file: enough to see whether a refused restore changed anything."""
    Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind="province")
    (media / "dossiers").mkdir(parents=True)
    (media / "dossiers" / "a.pdf").write_bytes(_pdf())
    return media


def _backup(tmp_path: Path) -> Path:
    out = io.StringIO()
    call_command("backup", output=str(tmp_path / "backups"), stdout=out)
    archives = sorted((tmp_path / "backups").glob("cchc-*.tar"))
    assert len(archives) == 1, out.getvalue()
    return archives[0]


@pytest.fixture
def scratch_database() -> Iterator[str]:
    """An empty database standing for a new machine: on PostgreSQL one created for the test
    (and dropped after it), on SQLite a file that does not exist yet."""
    if not is_postgresql():
        yield ""
        return
    name = f"{connections[DEFAULT_DB_ALIAS].settings_dict['NAME']}_restore"[:63]
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- round trips ----------------------------------------------------------------------------------


@round_trip
def test_a_backup_restored_on_a_new_machine_gives_back_every_table_and_file(
    demo: Path, tmp_path: Path, scratch_database: str
) -> None:
    before_tables, before_files = tables(connection), files(demo)
    assert sum(len(rows) for rows in before_tables.values()) > 500  # really populated
    archive = _backup(tmp_path)

    # The operator's command, in its own process, against an empty database and media folder.
    new = tmp_path / "new-machine"
    new.mkdir()
    if scratch_database:
        url = database_url(NAME=scratch_database)
        target = {"NAME": scratch_database}
    else:
        url = f"sqlite:///{new / 'cchc.sqlite3'}"
        target = {"NAME": str(new / "cchc.sqlite3")}
    env = child_environment(new, DATABASE_URL=url)
    result = manage("restore", str(archive), "--yes", env=env)
    assert result.returncode == 0, result.stderr
    assert "Đã khôi phục" in result.stdout

    with other_connection("restored", **target) as restored:
        assert tables(restored) == before_tables
    assert files(new / "media") == before_files


@round_trip
def test_restore_in_place_undoes_what_happened_after_the_backup(demo: Path, tmp_path: Path) -> None:
    before_tables, before_files = tables(connection), files(demo)
    archive = _backup(tmp_path)

    # Life goes on: a dossier deleted, a unit renamed, a file lost and another one uploaded.
    Dossier.objects.filter(pk=Dossier.objects.order_by("pk").values("pk")[:1]).delete()
    Unit.objects.filter(code="16300").update(name="Đổi tên")
    lost = next(p for p in demo.rglob("*") if p.is_file())
    lost.unlink()
    (demo / "later.pdf").write_bytes(_pdf())

    out = io.StringIO()
    call_command("restore", str(archive), yes=True, stdout=out)

    assert tables(connection) == before_tables
    assert files(demo) == before_files
    # The replaced folder is kept beside it: what was uploaded after the backup is not lost.
    kept = [p for p in demo.parent.iterdir() if p.name.startswith("media.before-restore-")]
    assert len(kept) == 1 and (kept[0] / "later.pdf").is_file()
    assert "media.before-restore-" in out.getvalue()
    # The restored sequences hand out fresh ids.
    Unit.objects.create(code="99999", name="Mới", kind="commune")


# -- refusals that change nothing ---------------------------------------------------------------


def _state(media: Path) -> tuple[list[str], dict[str, str]]:
    return sorted(Unit.objects.values_list("name", flat=True)), files(media)


def test_restore_without_yes_refuses_and_changes_nothing(small: Path, tmp_path: Path) -> None:
    archive = _backup(tmp_path)
    Unit.objects.update(name="Sau khi sao lưu")
    state = _state(small)
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert _state(small) == state


def _rewrite(archive: Path, target: Path, change: Any) -> Path:
    """A copy of `archive` with `change(name, data) -> (name, data) | None` applied per member."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        for member in source:
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            changed = change(member.name, data)
            if changed is None:
                continue
            name, data = changed
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


def _flip_a_byte(name: str, data: bytes) -> tuple[str, bytes]:
    if name.startswith("media/"):
        data = data[:-1] + bytes([data[-1] ^ 1])
    return name, data


@pytest.mark.parametrize(
    ("case", "change", "message"),
    [
        ("a file altered", _flip_a_byte, "không khớp tổng kiểm tra"),
        (
            "a file missing",
            lambda n, d: None if n.startswith("media/") else (n, d),
            "Thiếu 1 thành phần",
        ),
        (
            "a member outside",
            lambda n, d: ("../evil.pdf" if n.startswith("media/") else n, d),
            "lạ",
        ),
        (
            "another engine",
            lambda n, d: (
                n,
                json.dumps({**json.loads(d), "engine": "oracle"}).encode()
                if n == "manifest.json"
                else d,
            ),
            "cơ sở dữ liệu oracle",
        ),
        ("no manifest", lambda n, d: None if n == "manifest.json" else (n, d), "không có manifest"),
    ],
)
def test_a_damaged_or_foreign_archive_is_refused_before_anything_changes(
    small: Path, tmp_path: Path, case: str, change: Any, message: str
) -> None:
    archive = _rewrite(_backup(tmp_path), tmp_path / "bad.tar", change)
    Unit.objects.update(name="Sau khi sao lưu")
    state = _state(small)
    with pytest.raises(CommandError, match=message) as refused:
        call_command("restore", str(archive), yes=True, stdout=io.StringIO())
    assert "Không có gì bị thay đổi" in str(refused.value)
    assert _state(small) == state
    # No staging folder is left behind.
    assert sorted(p.name for p in small.parent.iterdir()) == ["media"]


def test_verify_only_checks_the_archive_and_changes_nothing(small: Path, tmp_path: Path) -> None:
    archive = _backup(tmp_path)
    Unit.objects.update(name="Sau khi sao lưu")
    state = _state(small)
    out = io.StringIO()
    call_command("restore", str(archive), verify_only=True, stdout=out)
    assert "2 thành phần khớp tổng kiểm tra" in out.getvalue()
    assert _state(small) == state


def test_the_archive_is_private_dated_and_checksummed(small: Path, tmp_path: Path) -> None:
    archive = _backup(tmp_path)
    assert archive.stat().st_mode & 0o077 == 0
    digest, name = (archive.parent / (archive.name + ".sha256")).read_text().split()
    assert name == archive.name and digest == backups.file_sha256(archive)
    manifest = backups.read_manifest(archive)
    assert manifest["engine"] == connections[DEFAULT_DB_ALIAS].vendor.replace(
        "postgresql", "postgresql"
    )
    assert {f["name"] for f in manifest["files"]} >= {"media/dossiers/a.pdf"}
    assert ["dossiers", "0001_initial"] in manifest["migrations"]


def test_keep_leaves_only_the_newest_archives(small: Path, tmp_path: Path) -> None:
    output = tmp_path / "nightly"
    # 19:00 UTC is 02:00 the next day in Vietnam: names carry the local date and time.
    moments = [dt.datetime(2026, 1, day, 19, tzinfo=dt.UTC) for day in (1, 2, 3)]
    for moment in moments:
        backups.make_backup(output, keep=2, now=moment)
    assert sorted(p.name for p in output.iterdir()) == [
        "cchc-20260103-020000.tar",
        "cchc-20260103-020000.tar.sha256",
        "cchc-20260104-020000.tar",
        "cchc-20260104-020000.tar.sha256",
    ]
