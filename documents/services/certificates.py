"""Signing certificates and trust anchors of an organization."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import tenancy
from core.errors import DomainError
from core.formatting import french_date
from core.locking import lock
from core.roles import Capability
from documents import crypto, signing
from documents.models import (
    SigningCertificate,
    TrustAnchor,
)
from parties.models import Organization, Signatory


def _check_validity(info: signing.CertificateFacts, *, what: str, field: str, rule: str) -> None:
    now = timezone.now()
    if info.not_after <= now:
        raise DomainError(
            _("%(what)s « %(name)s » a expiré le %(end)s : il ne peut plus servir.")
            % {"what": what, "name": info.common_name, "end": french_date(timezone.localtime(info.not_after))},
            rule=rule,
            field=field,
        )


@transaction.atomic
def add_signing_certificate(
    *,
    organization: Organization,
    user: Any,
    pkcs12_data: bytes,
    passphrase: str,
    label: str = "",
    signatory: Signatory | None = None,
    store_passphrase: bool = True,
) -> SigningCertificate:
    """Register a PKCS#12 opened with its passphrase; the passphrase is kept only encrypted (or not at all).

    Whoever may sign the organization's documents may deposit the certificate they sign
    with (Capability.SIGN_DOCUMENTS). The file is opened for real: a wrong passphrase, a
    file that is not PKCS#12, one without the private key or an expired certificate is
    refused with its reason. Depositing a deactivated certificate again puts it back in service.
    """
    if user is not None:
        tenancy.require(user, organization.pk, Capability.SIGN_DOCUMENTS)
    if signatory is not None and signatory.organization_id != organization.pk:
        raise DomainError(
            _("Le signataire doit appartenir à l'organisation du certificat."),
            rule="documents.certificate",
            field="signatory",
        )
    if not pkcs12_data:
        raise DomainError(_("Le fichier envoyé est vide."), rule="documents.pkcs12_format", field="pkcs12")
    if len(pkcs12_data) > 1024 * 1024:
        raise DomainError(_("Le fichier PKCS#12 est trop volumineux."), rule="documents.pkcs12", field="pkcs12")
    _key, certificate, _chain = signing.load_pkcs12(pkcs12_data, passphrase)
    info = signing.facts(certificate)
    _check_validity(info, what=str(_("Le certificat")), field="pkcs12", rule="documents.certificate_validity")
    # One deposit at a time per organization: the fingerprint check below cannot race.
    lock(Organization, organization.pk)
    record = SigningCertificate.objects.filter(organization=organization, fingerprint=info.fingerprint).first()
    if record is not None and record.is_active:
        raise DomainError(
            _("Ce certificat est déjà enregistré et en service (« %(label)s »).") % {"label": record.label},
            rule="documents.certificate_duplicate",
            field="pkcs12",
        )
    reason = _("Certificat enregistré") if record is None else _("Certificat déposé de nouveau et remis en service")
    record = record or SigningCertificate(organization=organization, fingerprint=info.fingerprint)
    record.signatory = signatory
    record.label = (label or info.common_name)[:200]
    record.pkcs12 = pkcs12_data
    record.encrypted_passphrase = crypto.encrypt_passphrase(passphrase) if store_passphrase else ""
    record.subject = info.subject
    record.issuer = info.issuer
    record.serial_number = info.serial_number
    record.not_before = info.not_before
    record.not_after = info.not_after
    record.is_active = True
    record._change_reason = str(reason)  # type: ignore[attr-defined]
    record.save()
    return record


@transaction.atomic
def deactivate_signing_certificate(*, certificate: SigningCertificate, user: Any) -> SigningCertificate:
    """Take a certificate out of service: nobody can sign with it any more; signed documents stay valid."""
    tenancy.require(user, certificate.organization_id, Capability.SIGN_DOCUMENTS)
    locked = lock(SigningCertificate, certificate.pk)
    if locked.is_active:
        locked.is_active = False
        locked._change_reason = str(_("Certificat retiré du service"))  # type: ignore[attr-defined]
        locked.save(update_fields=["is_active"])
    return locked


@transaction.atomic
def add_trust_anchor(*, organization: Organization, user: Any, certificate_data: bytes, label: str = "") -> TrustAnchor:
    """Trust a CA certificate (PEM or DER, parsed) for verifying signatures in this organization.

    Managing what the organization trusts is part of managing its documents'
    configuration (Capability.MANAGE_TEMPLATES: administrators and legal staff).
    """
    if user is not None:
        tenancy.require(user, organization.pk, Capability.MANAGE_TEMPLATES)
    if not certificate_data:
        raise DomainError(_("Le fichier envoyé est vide."), rule="documents.certificate_format", field="certificate")
    if len(certificate_data) > 256 * 1024:
        raise DomainError(
            _("Le fichier du certificat est trop volumineux."), rule="documents.certificate_format", field="certificate"
        )
    certificate = signing.load_certificate(certificate_data)
    info = signing.facts(certificate)
    _check_validity(
        info,
        what=str(_("Le certificat d'autorité")),
        field="certificate",
        rule="documents.certificate_validity",
    )
    lock(Organization, organization.pk)
    anchor = TrustAnchor.objects.filter(organization=organization, fingerprint=info.fingerprint).first()
    if anchor is not None and anchor.is_active:
        raise DomainError(
            _("Cette autorité est déjà dans la liste de confiance (« %(label)s »).") % {"label": anchor.label},
            rule="documents.trust_anchor_duplicate",
            field="certificate",
        )
    reason = _("Autorité ajoutée") if anchor is None else _("Autorité remise en service")
    anchor = anchor or TrustAnchor(organization=organization, fingerprint=info.fingerprint)
    anchor.label = (label or info.common_name)[:200]
    anchor.certificate_pem = signing.certificate_pem(certificate)
    anchor.subject = info.subject
    anchor.issuer = info.issuer
    anchor.not_before = info.not_before
    anchor.not_after = info.not_after
    anchor.is_active = True
    anchor._change_reason = str(reason)  # type: ignore[attr-defined]
    anchor.save()
    return anchor


@transaction.atomic
def deactivate_trust_anchor(*, anchor: TrustAnchor, user: Any) -> TrustAnchor:
    """Stop trusting an authority: signatures it vouches for are no longer reported as trusted."""
    tenancy.require(user, anchor.organization_id, Capability.MANAGE_TEMPLATES)
    locked = lock(TrustAnchor, anchor.pk)
    if locked.is_active:
        locked.is_active = False
        locked._change_reason = str(_("Autorité retirée de la liste de confiance"))  # type: ignore[attr-defined]
        locked.save(update_fields=["is_active"])
    return locked


def create_test_certificate(
    *, organization: Organization, signatory: Signatory, passphrase: str, trust: bool = True
) -> SigningCertificate:
    """A self-made certificate for a signatory (demo and tests only), its CA trusted by the organization."""
    pkcs12_data, ca = signing.create_test_pkcs12(
        common_name=signatory.person.full_name, organization_name=organization.name, passphrase=passphrase
    )
    with transaction.atomic():
        certificate = add_signing_certificate(
            organization=organization,
            user=None,
            pkcs12_data=pkcs12_data,
            passphrase=passphrase,
            signatory=signatory,
            label=f"{signatory.person.full_name} — {signatory.function} (test)",
        )
        if trust:
            add_trust_anchor(
                organization=organization,
                user=None,
                certificate_data=signing.certificate_pem(ca).encode(),
                label=f"Autorité de test — {organization.name}",
            )
    return certificate
