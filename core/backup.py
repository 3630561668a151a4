"""Backups that restore: the database and the stored files in one archive, checked on the way back.

An archive (``.tar.gz``) holds:

- ``database.sqlite3`` (SQLite, copied with the online backup API: a consistent copy while
  the app keeps running) or ``database.pgdump`` (PostgreSQL, ``pg_dump --format=custom``,
  one snapshot);
- ``media/<name>`` for every file of the default storage (local disk or S3 alike, read
  through Django's storage API);
- ``manifest.json``: the engine, the date, the row count of every table and the SHA-256 of
  every file, so that a restore proves what it put back.

A restore refuses a database that already holds data unless told to replace it, and checks
every file's hash before anything is written.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import connection, transaction
from django.utils.translation import gettext as _

FORMAT = 1
# Tables that ``migrate`` fills by itself: an install just migrated is "empty".
_FILLED_BY_MIGRATE = {"django_migrations", "django_content_type", "auth_permission", "django_site"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Restored:
    tables: dict[str, int]
    files: int


def _models() -> list[Any]:
    """The installed models whose table exists (many-to-many tables included), by table."""
    models = [model for model in apps.get_models(include_auto_created=True) if model._meta.managed]
    existing = set(connection.introspection.table_names())
    return sorted((model for model in models if model._meta.db_table in existing), key=lambda m: m._meta.db_table)


def table_counts() -> dict[str, int]:
    """{table: rows} of every table of the installed models."""
    return {model._meta.db_table: model._base_manager.count() for model in _models()}


def holds_data() -> bool:
    return any(rows for table, rows in table_counts().items() if table not in _FILLED_BY_MIGRATE)


def _files(storage: Storage, directory: str = "") -> Iterator[str]:
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:  # a local storage that never stored a file has no directory yet
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for sub in sorted(directories):
        yield from _files(storage, f"{directory}/{sub}" if directory else sub)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def _postgres_env() -> tuple[list[str], dict[str, str]]:
    """Connection options of pg_dump/pg_restore for the default database."""
    settings = connection.settings_dict
    options = ["--dbname", settings["NAME"]]
    if settings.get("HOST"):
        options += ["--host", str(settings["HOST"])]
    if settings.get("PORT"):
        options += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        options += ["--username", str(settings["USER"])]
    environment = dict(os.environ)
    if settings.get("PASSWORD"):
        environment["PGPASSWORD"] = str(settings["PASSWORD"])
    return options, environment


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("%(program)s est introuvable : installez les outils clients de PostgreSQL (paquet postgresql-client).")
            % {"program": name}
        )
    return path


def _dump_database(directory: Path) -> tuple[str, Path, dict[str, int]]:
    """The database copied into ``directory``, with the row counts of that very copy: both are
    read in one transaction, so the manifest tells what the copy holds while the app writes on."""
    if connection.vendor == "sqlite":
        target = directory / "database.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)  # the online backup API: one consistent copy
            # The copy's own rows, counted in the copy (the app may write on meanwhile). Not in
            # a transaction of the app's connection: its transactions take the write lock
            # (IMMEDIATE), under which SQLite's backup waits for itself.
            counts = {
                table: destination.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
                for table in (model._meta.db_table for model in _models())
            }
        finally:
            destination.close()
        return "database.sqlite3", target, counts
    if connection.vendor == "postgresql":
        target = directory / "database.pgdump"
        options, environment = _postgres_env()
        command = [_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)]
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")  # pg_dump reads this very snapshot
                snapshot = cursor.fetchone()[0]
            counts = table_counts()
            result = subprocess.run(
                [*command, f"--snapshot={snapshot}", *options], env=environment, capture_output=True, text=True
            )
        if result.returncode:
            raise BackupError(_("pg_dump a échoué : %(error)s") % {"error": result.stderr.strip()})
        return "database.pgdump", target, counts
    raise BackupError(_("Base de données « %(vendor)s » non prise en charge.") % {"vendor": connection.vendor})


def backup(path: Path, storage: Storage = default_storage) -> dict[str, Any]:
    """Write the archive ``path``; return its manifest."""
    files: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as scratch:
        database_name, database_file, counts = _dump_database(Path(scratch))
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "engine": connection.vendor,
            "created": datetime.now(UTC).isoformat(),
            "database": database_name,
            "tables": counts,
            "files": files,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(database_file, arcname=database_name)
            for name in _files(storage):
                with storage.open(name, "rb") as handle:
                    data = handle.read()
                files[name] = _sha256(data)
                _add(archive, f"media/{name}", data)
            _add(archive, "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False).encode())
        partial.replace(path)  # never a half-written archive under the final name
    return manifest


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.extractfile("manifest.json")
    except KeyError as exc:
        raise BackupError(_("Ce fichier n'est pas une sauvegarde de Conventio (manifest.json absent).")) from exc
    assert member is not None
    manifest: dict[str, Any] = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(_("Format de sauvegarde inconnu : %(format)s.") % {"format": manifest.get("format")})
    return manifest


def _checked_files(archive: tarfile.TarFile, manifest: dict[str, Any]) -> dict[str, bytes]:
    """Every file of the archive, its hash checked against the manifest before anything is written."""
    contents: dict[str, bytes] = {}
    for name, digest in manifest["files"].items():
        try:
            member = archive.extractfile(f"media/{name}")
        except KeyError as exc:
            raise BackupError(_("Fichier manquant dans la sauvegarde : %(name)s.") % {"name": name}) from exc
        assert member is not None
        data = member.read()
        if _sha256(data) != digest:
            raise BackupError(_("Fichier altéré dans la sauvegarde : %(name)s (SHA-256 différent).") % {"name": name})
        contents[name] = data
    return contents


def _restore_database(archive: tarfile.TarFile, manifest: dict[str, Any], directory: Path) -> None:
    archive.extract(manifest["database"], path=directory, filter="data")
    source = directory / manifest["database"]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        origin = sqlite3.connect(source)
        try:
            origin.backup(connection.connection)  # page by page into the open database
        finally:
            origin.close()
        return
    connection.close()  # pg_restore drops the tables: no session of ours may hold them
    options, environment = _postgres_env()
    command = [
        _program("pg_restore"),
        "--clean",
        "--if-exists",
        "--single-transaction",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
    ]
    result = subprocess.run([*command, *options, str(source)], env=environment, capture_output=True, text=True)
    if result.returncode:
        raise BackupError(_("pg_restore a échoué : %(error)s") % {"error": result.stderr.strip()})


def restore(path: Path, *, replace: bool = False, storage: Storage = default_storage) -> Restored:
    """Put the archive ``path`` back: the database, then the files; check the row counts."""
    if not path.is_file():
        raise BackupError(_("Sauvegarde introuvable : %(path)s.") % {"path": path})
    with tarfile.open(path, "r:gz") as archive:
        manifest = read_manifest(archive)
        if manifest["engine"] != connection.vendor:
            raise BackupError(
                _("Cette sauvegarde vient d'une base %(source)s ; la base configurée est %(target)s.")
                % {"source": manifest["engine"], "target": connection.vendor}
            )
        if not replace and holds_data():
            raise BackupError(
                _(
                    "La base de données contient déjà des données : la restauration les remplacerait. "
                    "Relancez avec --replace (make restore FILE=… REPLACE=1) pour les remplacer."
                )
            )
        contents = _checked_files(archive, manifest)
        stale = [name for name in _files(storage) if name not in contents]
        with tempfile.TemporaryDirectory() as scratch:
            _restore_database(archive, manifest, Path(scratch))
    for name in stale:
        storage.delete(name)
    for name, data in contents.items():
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, ContentFile(data))
        if saved != name:
            raise BackupError(_("Le stockage a renommé %(name)s en %(saved)s.") % {"name": name, "saved": saved})
    counts = table_counts()
    different = {
        table: (rows, counts.get(table)) for table, rows in manifest["tables"].items() if counts.get(table) != rows
    }
    if different:
        raise BackupError(_("Lignes différentes après restauration : %(tables)s.") % {"tables": different})
    return Restored(tables=counts, files=len(contents))
