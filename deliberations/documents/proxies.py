"""The written proxy (pouvoir, CGCT L2121-20) a member gives online: a PDF and a DOCX stored
with the proxy, the PDF sealed with the organization's certificate when one can sign
unattended (a certificate in service whose passphrase is kept)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from core.formatting import french_date
from deliberations import wording
from deliberations.documents.contexts import _assembly_context, _organization
from deliberations.models import Channel, Deliberation, Mandate, Proxy, SittingKind

KIND_PROXY = "proxy"

_CHANNEL_PHRASE: dict[str, str] = {
    Channel.LINK: "en ligne, par le lien personnel de sa convocation",
    Channel.ACCOUNT: "en ligne, depuis son compte d'élu",
}


def _function(proxy: Proxy) -> str:
    mandate = (
        Mandate.objects.in_office(proxy.sitting.date)
        .filter(assembly_id=proxy.sitting.assembly_id, person_id=proxy.giver_id)
        .exclude(function="")
        .values_list("function", flat=True)
        .first()
    )
    return mandate or ""


def proxy_context(proxy: Proxy, *, channel: str, given_at: Any) -> dict[str, Any]:
    """What the written proxy prints: giver, holder, the sitting, when and how it was given."""
    sitting = proxy.sitting
    style = sitting.assembly.name_style
    giver = wording.person_name(proxy.giver.first_name, proxy.giver.last_name, style)
    holder = wording.person_name(proxy.holder.first_name, proxy.holder.last_name, style)
    from_item = (
        Deliberation.objects.filter(pk=proxy.from_item_id).values_list("position", flat=True).first()
        if proxy.from_item_id
        else None
    )
    assembly = _assembly_context(sitting)
    moment = timezone.localtime(given_at)
    return {
        "organization": _organization(sitting),
        "assembly": assembly,
        "sitting": {
            "date_long": french_date(sitting.date, weekday=True),
            "time": sitting.starts_at_local.strftime("%H h %M"),
            "kind_label": "Séance ordinaire" if sitting.kind == SittingKind.ORDINARY else "Séance extraordinaire",
            "place": sitting.place,
        },
        "giver": {"name": giver, "function": _function(proxy)},
        "holder": {"name": holder},
        "from_item": from_item,
        "illness": proxy.illness,
        "revoked": proxy.revoked,
        "given_at": f"{french_date(moment.date())} à {moment:%H h %M}",
        "channel": _CHANNEL_PHRASE.get(channel, ""),
        "signatures": [
            {"place": assembly["city"], "date": proxy.written_on, "function": "Le mandant", "name": giver},
        ],
    }


def write_proxy_document(*, proxy_id: int, channel: str, given_at: Any) -> list[Any]:
    """Render the written proxy (PDF and DOCX), store it with the proxy, and seal the PDF
    with the organization's certificate when one signs unattended. Returns what was stored."""
    from documents.services import generate_document, seal_document

    proxy = Proxy.objects.select_related("sitting__assembly__organization", "giver", "holder").get(pk=proxy_id)
    organization = proxy.sitting.assembly.organization
    stored = generate_document(
        kind=KIND_PROXY,
        organization=organization,
        context=proxy_context(proxy, channel=channel, given_at=given_at),
        owner=proxy,
        user=None,
        title=f"Pouvoir de {proxy.giver.full_name} à {proxy.holder.full_name} — {french_date(proxy.sitting.date)}",
    )
    pdf = next(d for d in stored if d.format == "pdf")
    sealed = seal_document(document=pdf, reason="Pouvoir reçu en ligne (CGCT L2121-20)")
    return [*stored, sealed] if sealed is not None else stored
