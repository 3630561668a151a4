"""Adding a PAdES signature with pyHanko: an incremental update, a visible stamp, a timestamp when configured."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.formatting import french_date
from documents.signing.certificates import load_pkcs12
from documents.signing.stamps import place_stamp, stamp_font


def outside_event_loop[T](call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run pyHanko's synchronous API, which starts its own event loop, safely.

    Called from a thread that already runs an event loop (an async server, a browser
    test driver), ``asyncio.run`` would refuse: the work then goes to a short-lived thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(call, *args, **kwargs).result()


def timestamper() -> Any:
    """The configured timestamp authority (B-T signatures), or None (B-B)."""
    url = getattr(settings, "DOCUMENTS_TSA_URL", "")
    if not url:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=getattr(settings, "DOCUMENTS_TSA_TIMEOUT", 10))


def existing_signature_count(data: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return len(PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures)
    except Exception as exc:
        raise DomainError(_("Ce fichier n'est pas un PDF lisible."), rule="documents.pdf") from exc


def sign_pdf(data: bytes, **kwargs: Any) -> bytes:
    """Add one PAdES signature with a visible stamp, as an incremental update."""
    return outside_event_loop(_sign_pdf, data, **kwargs)


def _sign_pdf(
    data: bytes,
    *,
    pkcs12_data: bytes,
    passphrase: str,
    signer_name: str,
    function: str,
    reason: str = "",
    location: str = "",
    when: datetime | None = None,
    tsa: Any = None,
) -> bytes:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    load_pkcs12(pkcs12_data, passphrase)  # a clear error before pyHanko's
    signer = signers.SimpleSigner.load_pkcs12_data(pkcs12_data, other_certs=[], passphrase=passphrase.encode() or None)
    if signer is None:
        raise DomainError(_("Le certificat PKCS#12 ne s'ouvre pas."), rule="documents.pkcs12")
    index = existing_signature_count(data)
    field_name = f"Signature{index + 1}"
    data, stamp_box = place_stamp(data, signed_before=index)
    when = timezone.localtime(when or timezone.now())
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        name=signer_name,
    )
    style = TextStampStyle(
        stamp_text="Signé électroniquement par\n%(name)s\n%(function)s\nle %(when)s",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(stamp_font()), font_size=8),
        border_width=1,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=tsa if tsa is not None else timestamper(),
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=-1,
            box=tuple(round(v) for v in stamp_box),  # type: ignore[arg-type]
        ),
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        out = pdf_signer.sign_pdf(
            writer,
            appearance_text_params={
                "name": signer_name,
                "function": function,
                "when": f"{french_date(when)} à {when:%H:%M}",
            },
        )
    except DomainError:
        raise
    except Exception as exc:
        raise DomainError(
            _("La signature a échoué : %(error)s.") % {"error": f"{type(exc).__name__}: {exc}"},
            rule="documents.signature",
        ) from exc
    return bytes(out.getvalue())
