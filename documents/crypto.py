"""Encryption of signing passphrases at rest (Fernet, key derived from SECRET_KEY).

A database dump alone does not give the passphrase of an organization's PKCS#12: the
key lives in the environment (SECRET_KEY), not in the database. Rotating SECRET_KEY
means re-entering the passphrases (or keeping the old key in SECRET_KEY_FALLBACKS).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import DomainError


def _fernet_for(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"conventio.documents", info=b"signing-passphrase").derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _fernet() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet_for(secret) for secret in secrets])


def encrypt_passphrase(passphrase: str) -> str:
    return _fernet().encrypt(passphrase.encode()).decode()


def decrypt_passphrase(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DomainError(
            _("La phrase secrète enregistrée ne peut plus être déchiffrée (clé du serveur changée) : saisissez-la."),
            rule="documents.passphrase",
        ) from exc
