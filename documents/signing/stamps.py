"""Where a visible signature stamp goes: free space at the bottom of the last page, never on content."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import DomainError

STAMP_FONT = Path(settings.BASE_DIR) / "static" / "fonts" / "dejavu" / "DejaVuSerifCondensed.ttf"
STAMP_WIDTH, STAMP_HEIGHT = 180, 58

Box = tuple[float, float, float, float]

STAMP_GAP = 8
STAMP_LEFT = 62  # the left margin of documents/base.html (22 mm)
FOOTER_ZONE = 68  # the bottom margin of documents/base.html (24 mm): page numbers live there
MIN_STAMPS_ON_LAST_PAGE = 4  # room left for this many stamps at the first signature, else a signature page


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _page_layout(page: Any) -> tuple[float, float, float, list[Box]]:
    """(width, floor, ceiling, existing annotation boxes) of a page, in PDF points.

    The free band for stamps lies above the page footer (text in the bottom margin) and
    below the lowest line of the content. Text is taken as full-width bands: a stamp is
    never placed beside a line, only below all of them.
    """
    import pypdf

    box = page.mediabox
    width, height = float(box.width), float(box.height)
    floor, ceiling = STAMP_GAP + 40.0, height - 40.0

    def visit(text: str, cm: Any, tm: Any, _font: Any, size: Any) -> None:
        nonlocal floor, ceiling
        if not text.strip():
            return
        matrix = pypdf.mult(tm, cm)
        baseline = float(matrix[5])
        glyph = float(size or 10) * abs(float(matrix[3]) or 1.0)
        if baseline < FOOTER_ZONE:
            floor = max(floor, baseline + glyph + STAMP_GAP)
        else:
            ceiling = min(ceiling, baseline - 0.3 * glyph - STAMP_GAP)

    page.extract_text(visitor_text=visit)
    annotations: list[Box] = []
    for annotation in page.get("/Annots") or []:
        rect = annotation.get_object().get("/Rect")
        if rect is not None:
            x1, y1, x2, y2 = (float(v) for v in rect)
            if x2 > x1 and y2 > y1:
                annotations.append((min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)))
    return width, floor, ceiling, annotations


def free_stamp_boxes(data: bytes, *, page_index: int = -1) -> list[Box]:
    """Where stamps may go on a page, bottom row first, left to right, none on content or another stamp."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    width, floor, ceiling, taken = _page_layout(reader.pages[page_index])
    columns = max(1, int((width - 2 * STAMP_LEFT + STAMP_GAP) // (STAMP_WIDTH + STAMP_GAP)))
    boxes: list[Box] = []
    y1 = floor
    while y1 + STAMP_HEIGHT <= ceiling:
        for column in range(columns):
            x1 = STAMP_LEFT + column * (STAMP_WIDTH + STAMP_GAP)
            candidate = (x1, y1, x1 + STAMP_WIDTH, y1 + STAMP_HEIGHT)
            if not any(_overlap(candidate, other) for other in taken):
                boxes.append(candidate)
        y1 += STAMP_HEIGHT + STAMP_GAP
    return boxes


def with_signature_page(data: bytes) -> bytes:
    """The PDF with a blank page of the last page's size appended, for the stamps."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data), strict=False))
    last = writer.pages[-1].mediabox
    writer.add_blank_page(width=float(last.width), height=float(last.height))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def place_stamp(data: bytes, *, signed_before: int) -> tuple[bytes, Box]:
    """The bytes to sign and the stamp's box: free space at the bottom of the last page, never on content.

    At the first signature the last page must leave room for MIN_STAMPS_ON_LAST_PAGE
    stamps (documents/base.html reserves it), otherwise a signature page is appended —
    only then: a page added after a signature would break it. Later signers take the
    next free place beside or above the earlier stamps.
    """
    boxes = free_stamp_boxes(data)
    if signed_before == 0 and len(boxes) < MIN_STAMPS_ON_LAST_PAGE:
        data = with_signature_page(data)
        boxes = free_stamp_boxes(data)
    if not boxes:
        raise DomainError(
            _(
                "Il ne reste aucune place libre sur la dernière page pour un tampon de signature visible, et "
                "ajouter une page invaliderait les %(count)s signatures déjà apposées."
            )
            % {"count": signed_before},
            rule="documents.stamp_space",
        )
    return data, boxes[0]


_stamp_font_path: list[str] = []


def stamp_font() -> str:
    """The stamp font, rescaled to 1000 units per em once per process.

    pyHanko writes glyph widths in font units where PDF expects thousandths of an em, so a
    2048-unit TrueType font comes out letter-spaced; a 1000-unit copy is exact.
    """
    if not _stamp_font_path:
        import tempfile

        from fontTools.ttLib import TTFont
        from fontTools.ttLib.scaleUpem import scale_upem

        digest = hashlib.sha256(STAMP_FONT.read_bytes()).hexdigest()[:16]
        target = Path(tempfile.gettempdir()) / f"conventio-stamp-{digest}.ttf"
        if not target.is_file():
            font = TTFont(str(STAMP_FONT))
            scale_upem(font, 1000)
            partial = target.with_suffix(f".{os.getpid()}.tmp")
            font.save(str(partial))
            os.replace(partial, target)
        _stamp_font_path.append(str(target))
    return _stamp_font_path[0]
