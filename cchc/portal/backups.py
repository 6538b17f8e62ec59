"""Backup and restore of a whole instance: the database and the uploaded files, in one archive.

The archive is a plain tar (the PostgreSQL dump is compressed by pg_dump itself; uploads are
mostly PDFs and JPEGs, which do not compress), named for its local date and time:

    manifest.json              format, engine, applied migrations, and every other member's
                               size and SHA-256
    database/cchc.pgdump       PostgreSQL: pg_dump's custom format (one consistent snapshot)
    database/cchc.sqlite3      SQLite: a copy made by SQLite's online backup API
    media/<path>               every regular file under MEDIA_ROOT

The database is dumped before the files are read: a document row is committed only after its
file is on disk (the file is saved inside the transaction), so every file the dump refers to
is in the archive; a file uploaded during the backup may be there without its row (harmless).

Restoring reads the whole archive first, checking each member against the manifest while
extracting it into a staging area; only when everything matches is the database replaced (in
one transaction) and then the media folder swapped in. A mismatch touches nothing.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = "cchc-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PG_DUMP_NAME = "database/cchc.pgdump"
SQLITE_NAME = "database/cchc.sqlite3"
MEDIA_PREFIX = "media/"
ARCHIVE_PATTERN = re.compile(r"^cchc-\d{8}-\d{6}\.tar$")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """Something the operator must fix; the message says what (in Vietnamese)."""


# -- the database engine ----------------------------------------------------------------------


def engine_of(settings_dict: dict[str, Any]) -> str:
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu loại {engine}.")


def _version_key(path: str) -> tuple[int, ...]:
    match = re.search(r"/postgresql/(\d+)(?:\.(\d+))?/bin/", path)
    return tuple(int(p) for p in match.groups() if p) if match else (0,)


def pg_tool(name: str) -> str:
    """The path of a PostgreSQL client program (pg_dump, psql, pg_restore).

    BACKUP_PG_BIN_DIR wins; then PATH (Debian's wrapper there picks the newest installed
    version); then the newest /usr/lib/postgresql/*/bin. pg_dump must not be older than the
    server, which the newest installed version satisfies on a machine that runs the server.
    """
    configured = getattr(settings, "BACKUP_PG_BIN_DIR", "")
    if configured:
        candidate = Path(configured) / name
        if candidate.is_file():
            return str(candidate)
        raise BackupError(f"Không thấy {name} trong BACKUP_PG_BIN_DIR={configured}.")
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key)
    if versions:
        return versions[-1]
    raise BackupError(
        f"Không tìm thấy chương trình {name} của PostgreSQL: cài gói postgresql-client "
        "hoặc đặt BACKUP_PG_BIN_DIR."
    )


def pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq variables for the client programs: the password never appears on a command line."""
    env = dict(os.environ)
    pairs = {
        "PGDATABASE": settings_dict.get("NAME"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
    }
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
        ("service", "PGSERVICE"),
    ):
        pairs[variable] = options.get(option)
    for variable, value in pairs.items():
        if value not in (None, ""):
            env[variable] = str(value)
        else:
            env.pop(variable, None)
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{what} thất bại: {' / '.join(detail[-5:]) or result.returncode}")


def dump_database(settings_dict: dict[str, Any], folder: Path) -> tuple[Path, str]:
    """Write a consistent copy of the database into `folder`; (file, member name)."""
    engine = engine_of(settings_dict)
    if engine == "postgresql":
        target = folder / "cchc.pgdump"
        command = [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
        _run([*command, f"--file={target}"], pg_environment(settings_dict), "pg_dump")
        return target, PG_DUMP_NAME
    target = folder / "cchc.sqlite3"
    source = sqlite3.connect(f"file:{settings_dict['NAME']}?mode=ro", uri=True, timeout=20)
    copy = sqlite3.connect(target)
    try:
        # The online backup API copies a consistent snapshot while others keep writing (WAL).
        source.backup(copy)
        # One self-contained file, whatever the journal mode of the live database.
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
        source.close()
    return target, SQLITE_NAME


def applied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[list[str]]:
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    return sorted([app, name] for app, name in loader.applied_migrations)


# -- writing an archive -------------------------------------------------------------------------


class _Hashing:
    """A file object that hashes what is read through it (tarfile reads exactly `size`)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.sha.update(data)
        self.size += len(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> dict[str, Any]:
    info = tar.gettarinfo(str(path), arcname=name)
    # Owners and modes of the machine that made the backup mean nothing where it is restored.
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    with path.open("rb") as raw:
        hashing = _Hashing(raw)
        tar.addfile(info, hashing)
    if hashing.size != info.size:
        raise BackupError(f"Tệp {name} thay đổi trong lúc sao lưu; hãy chạy lại.")
    return {"name": name, "size": info.size, "sha256": hashing.sha.hexdigest()}


def media_files(root: Path) -> Iterator[tuple[Path, str]]:
    """(path, member name) of every regular file under `root`, in a stable order."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for filename in sorted(files):
            path = Path(folder) / filename
            # Symbolic links are not followed: a link out of the folder is not the instance's.
            if path.is_symlink() or not path.is_file():
                continue
            yield path, MEDIA_PREFIX + path.relative_to(root).as_posix()


@dataclass
class BackupResult:
    path: Path
    size: int
    files: int
    media_bytes: int
    removed: list[Path] = field(default_factory=list)


def archive_name(moment: dt.datetime) -> str:
    return f"cchc-{timezone.localtime(moment):%Y%m%d-%H%M%S}.tar"


def make_backup(
    output: Path,
    *,
    alias: str = DEFAULT_DB_ALIAS,
    media_root: Path | None = None,
    keep: int | None = None,
    now: dt.datetime | None = None,
) -> BackupResult:
    """Write one archive into `output` (created 0700 if missing) and return what was written."""
    settings_dict = connections[alias].settings_dict
    engine = engine_of(settings_dict)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    moment = now or timezone.now()
    output.mkdir(parents=True, exist_ok=True, mode=0o700)
    final = output / archive_name(moment)
    if final.exists():
        raise BackupError(f"Đã có tệp {final}; đợi một giây rồi chạy lại.")
    partial = output / f".{final.name}.partial"
    entries: list[dict[str, Any]] = []
    media_bytes = 0
    try:
        with tempfile.TemporaryDirectory(prefix="cchc-backup-") as scratch:
            dump, member = dump_database(settings_dict, Path(scratch))
            # Created private: the archive holds citizens' personal data.
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
                entries.append(_add_file(tar, dump, member))
                dump.unlink()
                for path, name in media_files(media_root):
                    entry = _add_file(tar, path, name)
                    media_bytes += entry["size"]
                    entries.append(entry)
                manifest = {
                    "format": FORMAT,
                    "version": FORMAT_VERSION,
                    "created_at": timezone.localtime(moment).isoformat(),
                    "engine": engine,
                    "migrations": applied_migrations(alias),
                    "files": entries,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mode = 0o600
                info.mtime = int(moment.timestamp())
                tar.addfile(info, _BytesReader(data))
                raw.flush()
                os.fsync(raw.fileno())
        # Appears under its final name only when complete: a crash leaves a .partial file.
        os.replace(partial, final)
    finally:
        if partial.exists():
            partial.unlink()
    _write_checksum(final)
    removed = prune(output, keep) if keep else []
    return BackupResult(final, final.stat().st_size, len(entries), media_bytes, removed)


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def read(self, n: int = -1) -> bytes:
        end = len(self.data) if n < 0 else self.at + n
        chunk = self.data[self.at : end]
        self.at += len(chunk)
        return chunk


def file_sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            sha.update(chunk)
    return sha.hexdigest()


def _write_checksum(archive: Path) -> None:
    # `sha256sum -c cchc-….tar.sha256` checks a copy kept elsewhere without this program.
    line = f"{file_sha256(archive)}  {archive.name}\n"
    checksum = archive.with_name(archive.name + ".sha256")
    fd = os.open(checksum, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(line)


def prune(output: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives of this program in `output`."""
    archives = sorted(p for p in output.iterdir() if ARCHIVE_PATTERN.match(p.name))
    removed = archives[:-keep] if keep > 0 else []
    for old in removed:
        old.unlink()
        old.with_name(old.name + ".sha256").unlink(missing_ok=True)
    return removed


# -- reading and checking an archive ----------------------------------------------------------


@dataclass
class Staged:
    """An archive checked member by member and unpacked into staging folders."""

    manifest: dict[str, Any]
    database: Path
    media: Path
    scratch: Path

    def discard_scratch(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)

    def discard(self) -> None:
        self.discard_scratch()
        shutil.rmtree(self.media, ignore_errors=True)


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and "\\" not in name
        and "\x00" not in name
        and (name == MANIFEST or name in (PG_DUMP_NAME, SQLITE_NAME) or name.startswith("media/"))
    )


def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, mode="r:") as tar:
            try:
                member = tar.getmember(MANIFEST)
            except KeyError as exc:
                raise BackupError(
                    f"{archive.name} không có {MANIFEST}: không phải bản sao lưu CCHC."
                ) from exc
            extracted = tar.extractfile(member)
            if extracted is None or member.size > 64 * 1024 * 1024:
                raise BackupError(f"{MANIFEST} trong {archive.name} không hợp lệ.")
            manifest = json.loads(extracted.read().decode("utf-8"))
    except (tarfile.TarError, OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"Không đọc được {archive}: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive.name} không phải bản sao lưu CCHC.")
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError(
            f"Bản sao lưu dạng {manifest.get('version')} chưa được hỗ trợ (hỗ trợ dạng {FORMAT_VERSION})."
        )
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
        isinstance(f, dict) and isinstance(f.get("name"), str) and isinstance(f.get("sha256"), str)
        for f in files
    ):
        raise BackupError(f"{MANIFEST} trong {archive.name} không hợp lệ.")
    return manifest


def stage(archive: Path, *, media_root: Path, engine: str) -> Staged:
    """Check every member of `archive` against its manifest while unpacking it: the database
    copy into a temporary folder, the files into a folder beside `media_root` (same file
    system, so the final swap is a rename). Raises BackupError, leaving nothing behind, on any
    mismatch, a missing or unexpected member, or an engine other than `engine`."""
    manifest = read_manifest(archive)
    if manifest.get("engine") != engine:
        raise BackupError(
            f"Bản sao lưu là của cơ sở dữ liệu {manifest.get('engine')}, "
            f"còn hệ thống đang dùng {engine}: không khôi phục được."
        )
    expected = {f["name"]: f for f in manifest["files"]}
    database_name = PG_DUMP_NAME if engine == "postgresql" else SQLITE_NAME
    if database_name not in expected:
        raise BackupError(f"{archive.name} không có bản sao cơ sở dữ liệu ({database_name}).")
    media_root = media_root.resolve()
    parent = media_root.parent
    if not os.access(parent, os.W_OK):
        raise BackupError(f"Không ghi được vào {parent} (cần để thay thư mục {media_root}).")
    scratch = Path(tempfile.mkdtemp(prefix="cchc-restore-"))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    media = parent / f".{media_root.name}.restore-{stamp}-{os.getpid()}"
    media.mkdir(mode=0o700)
    staged = Staged(manifest, scratch / Path(database_name).name, media, scratch)
    seen: set[str] = set()
    try:
        with tarfile.open(archive, mode="r:") as tar:
            for member in tar:
                name = member.name
                if name == MANIFEST:
                    continue
                if not member.isfile() or not _safe_member(name) or name not in expected:
                    raise BackupError(f"Thành phần lạ trong bản sao lưu: {name!r}.")
                if name in seen:
                    raise BackupError(f"Thành phần lặp lại trong bản sao lưu: {name!r}.")
                seen.add(name)
                if name != database_name and not name.startswith(MEDIA_PREFIX):
                    raise BackupError(f"Thành phần lạ trong bản sao lưu: {name!r}.")
                target = (
                    staged.database
                    if name == database_name
                    else media / PurePosixPath(name).relative_to("media")
                )
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None
                sha = hashlib.sha256()
                size = 0
                with target.open("wb") as out:
                    for chunk in iter(lambda: source.read(CHUNK), b""):  # noqa: B023
                        sha.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                entry = expected[name]
                if size != entry.get("size") or sha.hexdigest() != entry["sha256"]:
                    raise BackupError(
                        f"{name} không khớp tổng kiểm tra trong {MANIFEST}: bản sao lưu bị hỏng "
                        "hoặc đã bị sửa."
                    )
    except (tarfile.TarError, OSError) as exc:
        staged.discard()
        raise BackupError(f"Không đọc được {archive}: {exc}") from exc
    except BaseException:
        staged.discard()
        raise
    missing = sorted(set(expected) - seen)
    if missing:
        staged.discard()
        raise BackupError(f"Thiếu {len(missing)} thành phần trong bản sao lưu, ví dụ {missing[0]}.")
    return staged


# -- replacing the live instance ---------------------------------------------------------------

# Run before the dump's own SQL, all in one transaction: the schema is emptied (tables, sequences
# and the extensions in it) so the database ends up as the dump says, not as a mix. A web server
# or worker still holding locks makes this wait at most lock_timeout, then fail, changing nothing.
_PG_PREAMBLE = """\
SET lock_timeout = '{lock_timeout}s';
DROP SCHEMA IF EXISTS public CASCADE;
CREATE SCHEMA public;
"""


def restore_database(settings_dict: dict[str, Any], dump: Path, *, lock_timeout: int = 15) -> None:
    engine = engine_of(settings_dict)
    if engine == "postgresql":
        env = pg_environment(settings_dict)
        with tempfile.TemporaryDirectory(prefix="cchc-restore-sql-") as folder:
            sql = Path(folder) / "dump.sql"
            preamble = Path(folder) / "preamble.sql"
            preamble.write_text(_PG_PREAMBLE.format(lock_timeout=int(lock_timeout)))
            _run(
                [
                    pg_tool("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    f"--file={sql}",
                    str(dump),
                ],
                env,
                "pg_restore",
            )
            _run(
                [
                    pg_tool("psql"),
                    "--no-psqlrc",
                    "--quiet",
                    "--single-transaction",
                    "--set=ON_ERROR_STOP=1",
                    f"--file={preamble}",
                    f"--file={sql}",
                ],
                env,
                "Nạp cơ sở dữ liệu (psql)",
            )
        return
    source = sqlite3.connect(dump)
    target = sqlite3.connect(settings_dict["NAME"], timeout=lock_timeout)
    try:
        # Page by page into the live file under SQLite's own lock: other connections see the old
        # database or the new one, never a half-copied file (copying the file over would).
        source.backup(target)
    except sqlite3.Error as exc:
        raise BackupError(f"Không nạp được cơ sở dữ liệu SQLite: {exc}") from exc
    finally:
        target.close()
        source.close()


def swap_media(staged: Path, media_root: Path) -> Path | None:
    """Put the staged files in place of `media_root`; the old folder is kept beside it (its
    path is returned) so that nothing uploaded since the backup is lost."""
    media_root = media_root.resolve()
    previous = None
    if media_root.exists():
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        previous = media_root.with_name(f"{media_root.name}.before-restore-{stamp}")
        os.rename(media_root, previous)
    os.rename(staged, media_root)
    media_root.chmod(0o755)
    return previous


@dataclass
class MigrationNote:
    unknown: list[str]
    pending: int


def migration_state(manifest: dict[str, Any]) -> MigrationNote:
    """Migrations in the backup that this code does not have, and ones it has that the backup
    lacks (then `migrate` brings the restored database forward)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    backed = {(app, name) for app, name in manifest.get("migrations", [])}
    unknown = sorted(f"{app}.{name}" for app, name in backed - known)
    return MigrationNote(unknown, len(known - backed))


def close_connections() -> None:
    for conn in connections.all(initialized_only=True):
        conn.close()
