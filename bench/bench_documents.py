"""``python -m bench.run documents``: one extract as PDF and as DOCX, the same DOCX turned
into PDF by LibreOffice (headless) in the same run, and the bulk generation of a whole
150-item sitting (time and peak memory, in a fresh process).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import harness

EXTRACT_PDF_MS = 300
LIBREOFFICE_RATIO = 5
BUNDLE_SECONDS = 60
BUNDLE_PEAK_MB = 500


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_to_pdf(docx: bytes, workdir: Path) -> float:
    """Seconds for ``soffice --headless --convert-to pdf`` on this DOCX (a fresh process, as a server would run it)."""
    source = workdir / "extract.docx"
    source.write_bytes(docx)
    start = time.perf_counter()
    subprocess.run(
        [
            soffice() or "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{workdir}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    elapsed = time.perf_counter() - start
    if not (workdir / "extract.pdf").exists():
        raise RuntimeError("LibreOffice produced no PDF")
    (workdir / "extract.pdf").unlink()
    return elapsed


def _extract_context(deliberation_id: int) -> tuple[Any, dict[str, Any]]:
    from deliberations import documents as deliberation_documents

    # As "produire l'extrait" does: the item and its own attendance, not the whole agenda.
    fresh, view = deliberation_documents.extract_source(deliberation_id)
    return view.sitting, deliberation_documents.extract_context(fresh, view)


def main(args: argparse.Namespace) -> harness.Report:
    from bench import pages
    from documents import services as document_services

    report = harness.Report("documents", ["measure", "median", "p95", "n", "notes"])
    fx = pages.Fixtures()
    deliberation_id = fx.get("deliberation", "metropole")
    sitting_id = fx.get("sitting", "metropole")
    if not deliberation_id:
        report.notes.append("no deliberation in the dataset: run the generator first")
        return report
    try:
        sitting, context = _extract_context(deliberation_id)
    except (ImportError, AttributeError) as exc:
        report.notes.append(f"extract context not available yet: {exc}")
        return report
    org_id = sitting.assembly.organization_id
    # Context building (the sitting's attendance replayed) and each format's rendering.
    build = harness.time_calls(lambda: _extract_context(deliberation_id), repeat=10, warmup=1)
    report.add_row(
        "extract: context (its item's attendance replayed)", f"{build.median:.0f} ms", f"{build.p95:.0f} ms", 10, ""
    )
    outputs: dict[str, bytes] = {}

    def render(fmt: str) -> None:
        data, _template = document_services.render(
            kind="extract", organization_id=org_id, document_format=fmt, context=context
        )
        outputs[fmt] = data

    pdf = harness.time_calls(lambda: render("pdf"), repeat=15, warmup=2)
    docx = harness.time_calls(lambda: render("docx"), repeat=15, warmup=2)
    report.add_row(
        "extract as PDF (WeasyPrint)",
        f"{pdf.median:.0f} ms",
        f"{pdf.p95:.0f} ms",
        15,
        f"{len(outputs['pdf']) // 1024} KB",
    )
    report.add_row(
        "extract as DOCX (docxtpl)",
        f"{docx.median:.0f} ms",
        f"{docx.p95:.0f} ms",
        15,
        f"{len(outputs['docx']) // 1024} KB",
    )
    report.check("extract PDF: median", pdf.median, EXTRACT_PDF_MS, "ms")
    report.extra["extract"] = {
        "deliberation_id": deliberation_id,
        "pdf": pdf.as_dict(),
        "docx": docx.as_dict(),
        "context": build.as_dict(),
    }
    if soffice():
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            libreoffice_to_pdf(outputs["docx"], workdir)  # first start builds the profile: not counted
            runs = [libreoffice_to_pdf(outputs["docx"], workdir) * 1000 for _ in range(5)]
        lo = harness.Samples(runs)
        report.add_row(
            "same DOCX → PDF by LibreOffice headless",
            f"{lo.median:.0f} ms",
            f"{lo.p95:.0f} ms",
            5,
            "soffice --convert-to pdf",
        )
        report.check(
            "extract PDF: LibreOffice / WeasyPrint", lo.median / pdf.median, LIBREOFFICE_RATIO, "×", at_least=True
        )
        report.extra["libreoffice"] = lo.as_dict()
    else:
        report.add_row("same DOCX → PDF by LibreOffice headless", "—", "—", 0, "soffice is missing")
        report.notes.append("LibreOffice (soffice) is missing: apt-get install -y libreoffice-writer-nogui")
        report.check("extract PDF: LibreOffice / WeasyPrint", None, LIBREOFFICE_RATIO, "×", at_least=True)
    # Bulk generation of the whole sitting, in a fresh process.
    if not hasattr(document_services, "start_batch"):
        report.notes.append("documents.services.start_batch is not there yet: bulk generation not measured")
        return report
    from deliberations.models import Deliberation

    items = Deliberation.objects.filter(sitting_id=sitting_id).count()
    params = {"sitting_id": sitting_id, "username": fx.username("metropole", "clerk")}
    result = harness.run_child("bench.tasks.sitting_bundle", params)
    if result.get("status") == "failed":
        # The documents app refuses a document that takes more than its render limit (20 s);
        # measure the whole bundle again with the limit raised, to know what it would cost.
        report.notes.append(f"bulk generation failed with the app's limits: {result.get('error')}")
        report.add_row(
            f"bulk generation of a {items}-item sitting (app limits)",
            f"{result['seconds']:.1f} s",
            "",
            1,
            f"{result['done']}/{result['total']} documents, {result['status']}, peak RSS {result['peak_rss_mb']} MB",
        )
        result = harness.run_child("bench.tasks.sitting_bundle", {**params, "render_seconds": 600})
        report.notes.append("bulk generation measured again with DOCUMENTS_RENDER_SECONDS=600")
    # The batch renders in a pool of processes: its memory is that of the whole process tree
    # (the task and its renderers), sampled while it runs.
    report.add_row(
        f"bulk generation of a {items}-item sitting",
        f"{result['seconds']:.1f} s",
        "",
        1,
        f"{result['done']}/{result['total']} documents, {result['status']}, {result.get('processes', 1)} renderer "
        f"processes, peak RSS {result['tree_peak_rss_mb']} MB (the task alone {result['peak_rss_mb']} MB), "
        f"{result['queries']} queries",
    )
    report.extra["bundle"] = {"items": items, **result}
    report.check("bulk generation (150 items): time", result["seconds"], BUNDLE_SECONDS, "s")
    report.check(
        "bulk generation (150 items): peak memory (RSS, task + renderers)",
        result["tree_peak_rss_mb"],
        BUNDLE_PEAK_MB,
        "MB",
    )
    if result.get("error"):
        report.notes.append(f"batch error: {result['error']}")
    return report
