"""Back up, wipe, restore: every table's rows and every stored document's bytes come back."""

import hashlib
import io
import tarfile

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from core.backup import BackupError, backup, restore, table_counts
from core.roles import Role
from documents.models import StoredDocument
from parties.models import Organization


def _document(organization, title: str, data: bytes) -> StoredDocument:
    document = StoredDocument(
        organization=organization,
        owner_type=ContentType.objects.get_for_model(Organization),
        owner_id=organization.pk,
        kind="convention",
        format="pdf",
        version=StoredDocument.objects.filter(organization=organization).count() + 1,
        title=title,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )
    document.file.save(f"{title}.pdf", ContentFile(data), save=False)
    document.save()
    return document


def _hashes() -> dict[str, str]:
    hashes = {}
    for document in StoredDocument.objects.all():
        with default_storage.open(document.file.name, "rb") as handle:
            hashes[document.file.name] = hashlib.sha256(handle.read()).hexdigest()
    return hashes


def _wipe() -> None:
    call_command("flush", interactive=False, verbosity=0)
    for document_name in list(default_storage.listdir("")[1]):
        default_storage.delete(document_name)
    for directory in default_storage.listdir("")[0]:
        _wipe_directory(directory)


def _wipe_directory(directory: str) -> None:
    directories, files = default_storage.listdir(directory)
    for name in files:
        default_storage.delete(f"{directory}/{name}")
    for sub in directories:
        _wipe_directory(f"{directory}/{sub}")


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_gives_back_every_row_and_every_document(
    tmp_path, organization, other_organization, make_member
):
    make_member(organization, Role.ADMINISTRATOR, first_name="Alice", last_name="Martin")
    make_member(other_organization, Role.VIEWER)
    _document(organization, "convention-flag", b"%PDF-1.7 convention FLAG")
    _document(other_organization, "convention-autre", b"%PDF-1.7 une autre")
    before, hashes = table_counts(), _hashes()
    assert before["parties_organization"] >= 2 and len(hashes) == 2

    archive = tmp_path / "sauvegarde.tar.gz"
    manifest = backup(archive)
    assert manifest["tables"] == before
    assert {name: manifest["files"][name] for name in hashes} == hashes

    _wipe()
    assert StoredDocument.objects.count() == 0 and not default_storage.listdir("")[1]

    restored = restore(archive)
    assert restored.files == len(manifest["files"])
    assert table_counts() == before
    assert _hashes() == hashes
    assert set(Organization.objects.values_list("name", flat=True)) >= {organization.name, other_organization.name}


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_holding_data_unless_told_to_replace_it(tmp_path, organization):
    archive = tmp_path / "sauvegarde.tar.gz"
    backup(archive)
    Organization.objects.create(name="Créée après la sauvegarde", kind="commune", departement_code="034")
    with pytest.raises(CommandError, match="--replace"):
        call_command("restore", str(archive))
    assert Organization.objects.filter(name="Créée après la sauvegarde").exists()  # nothing touched

    call_command("restore", str(archive), "--replace", verbosity=0)
    assert not Organization.objects.filter(name="Créée après la sauvegarde").exists()


@pytest.mark.django_db(transaction=True)
def test_a_tampered_archive_is_refused_before_anything_is_written(tmp_path, organization):
    _document(organization, "convention", b"%PDF-1.7 original")
    archive = tmp_path / "sauvegarde.tar.gz"
    backup(archive)
    tampered = tmp_path / "alteree.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("media/"):
                data = b"%PDF-1.7 falsified"
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    before = table_counts()
    with pytest.raises(BackupError, match="altéré"):
        restore(tampered, replace=True)
    assert table_counts() == before


def test_restore_of_a_file_that_is_no_backup_says_so(tmp_path):
    path = tmp_path / "rien.tar.gz"
    with tarfile.open(path, "w:gz"):
        pass
    with pytest.raises(BackupError, match="manifest.json"):
        restore(path)
