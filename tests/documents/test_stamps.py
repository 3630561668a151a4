"""Visible signature stamps: in free space at the bottom of the last page, never on text nor on each other."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from documents import services, signing
from tests import readers
from tests.documents.helpers import pdfsig, read, sample_context
from tests.factories import OrganizationFactory, PersonFactory, SignatoryFactory

pytestmark = pytest.mark.django_db

Box = tuple[float, float, float, float]


def stamp_rects(data: bytes) -> list[tuple[int, Box]]:
    """(page number, /Rect) of each signature widget, read with pypdf."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    rects = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/FT") == "/Sig" or annotation.get("/Parent", {}).get("/FT") == "/Sig":
                x1, y1, x2, y2 = (float(v) for v in annotation["/Rect"])
                rects.append((number, (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))))
    return rects


def word_boxes(data: bytes) -> list[tuple[int, str, Box]]:
    """(page number, word, box in PDF points, origin bottom-left) as poppler's pdftotext -bbox sees them."""
    xml = readers.poppler_text(data, "-bbox")
    boxes = []
    for number, page in enumerate(re.findall(r"<page (.*?)</page>", xml, re.S)):
        height = float(re.search(r'height="([\d.]+)"', page).group(1))  # type: ignore[union-attr]
        for x1, y1, x2, y2, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page
        ):
            boxes.append((number, word, (float(x1), height - float(y2), float(x2), height - float(y1))))
    return boxes


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def content_words(unsigned: bytes) -> list[tuple[int, str, Box]]:
    return word_boxes(unsigned)


def second_signer(organization):
    partner = OrganizationFactory(name="FLAG !", tenant=organization)
    signatory = SignatoryFactory(
        person=PersonFactory(organization=organization, first_name="Marie", last_name="Partenaire"),
        function="La Présidente",
        is_default=False,
    )
    return services.create_test_certificate(organization=organization, signatory=signatory, passphrase="p"), partner


def _generate(organization, **extra):
    return services.generate_document(
        kind="other",
        organization=organization,
        context=sample_context(**extra),
        owner=organization,
        user=None,
        title="Convention FLAG",
        formats=["pdf"],
    )[0]


def _assert_stamps_clear(unsigned: bytes, signed: bytes, expected: int) -> list[tuple[int, Box]]:
    rects = stamp_rects(signed)
    assert len(rects) == expected
    for i, (page_a, a) in enumerate(rects):
        for page_b, b in rects[i + 1 :]:
            assert not (page_a == page_b and overlap(a, b)), (a, b)
    words = content_words(unsigned)
    assert words, "the unsigned document has text"
    for page, rect in rects:
        for word_page, word, box in words:
            assert not (page == word_page and overlap(rect, box)), (rect, word, box)
    return rects


def test_two_signatures_sit_below_the_text_of_the_last_page_side_by_side(
    organization, pdf_document, certificate, legal_user
):
    other_certificate, _partner = second_signer(organization)
    first = services.sign_document(document=pdf_document, certificate=certificate, user=legal_user)
    second = services.sign_document(document=first, certificate=other_certificate, user=legal_user)
    unsigned, signed = read(pdf_document), read(second)
    assert len(pypdf.PdfReader(io.BytesIO(signed)).pages) == len(pypdf.PdfReader(io.BytesIO(unsigned)).pages)
    rects = _assert_stamps_clear(unsigned, signed, 2)
    (page_a, a), (page_b, b) = rects
    last = len(pypdf.PdfReader(io.BytesIO(signed)).pages) - 1
    assert page_a == page_b == last
    assert a[1] == b[1] and a[2] <= b[0]  # same row, side by side
    # Below every word of the body, above the page numbers.
    body = [box for page, _word, box in content_words(unsigned) if page == last and box[1] > 68]
    assert max(a[3], b[3]) < min(box[1] for box in body)
    assert pdfsig(signed).count("Signature is Valid") == 2
    report = signing.verify_pdf(signed, trust_pems=services.trust_pems_for([organization.pk]))
    assert [s.ok for s in report.signatures] == [True, True]


def test_full_last_page_gets_a_signature_page(organization, certificate, legal_user):
    # Enough paragraphs that the last page is filled to the bottom, reserved area included.
    template_html = (
        '{% extends "documents/base.html" %}{% block title %}Pleine page{% endblock %}'
        "{% block body %}{% for p in paragraphs %}<p>{{ p }}</p>{% endfor %}{% endblock %}"
        "{% block e_signature_area %}{% endblock %}"
    )
    from documents import rendering

    lines = [f"Ligne {n} du texte qui remplit la page jusqu'en bas." for n in range(1, 400)]
    for count in range(36, 80):
        html = rendering.render_html(rendering.compile_html(template_html), sample_context(paragraphs=lines[:count]))
        data = rendering.html_to_pdf(html)
        if len(signing.free_stamp_boxes(data)) < signing.MIN_STAMPS_ON_LAST_PAGE:
            break
    else:
        pytest.fail("could not fill a page")
    pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
    other_certificate, _partner = second_signer(organization)
    signed = signing.sign_pdf(
        data, pkcs12_data=_pkcs12(certificate), passphrase="phrase-secrète", signer_name="A", function="Le Maire"
    )
    signed = signing.sign_pdf(
        signed, pkcs12_data=_pkcs12(other_certificate), passphrase="p", signer_name="B", function="La Présidente"
    )
    assert len(pypdf.PdfReader(io.BytesIO(signed)).pages) == pages + 1
    rects = _assert_stamps_clear(data, signed, 2)
    assert {page for page, _rect in rects} == {pages}  # both on the new page
    assert pdfsig(signed).count("Signature is Valid") == 2
    report = signing.verify_pdf(signed)
    assert not any(s.modified_after for s in report.signatures)


def _pkcs12(certificate) -> bytes:
    from documents.models import SigningCertificate

    return bytes(SigningCertificate.objects.values_list("pkcs12", flat=True).get(pk=certificate.pk))
