"""Rendering as plain jobs, run here or in a pool of processes.

A :class:`RenderJob` carries everything one rendering needs — the template's source, the
plain context, the time limit — and nothing tied to the database, so that a batch can hand
its documents to other processes: WeasyPrint holds one CPU for each PDF, and a 150-item
sitting's documents are rendered on every CPU of the machine instead of one.

The pool's processes are started fresh (``spawn``: no inherited database connection, lock
or thread), set Django up with the parent's settings module and render with the parent's
``DOCUMENTS_*`` limits. They read no database: the batch resolves the templates and
stores the results itself.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings

# This module is what a pool process unpickles before Django is set up: it imports no model,
# and ``documents.rendering`` only once running.


@dataclass(frozen=True)
class RenderJob:
    """One format of one document: the template (shipped by name, or uploaded as bytes)."""

    document_format: str
    context: dict[str, Any]
    seconds: float
    shipped_name: str = ""  # "documents/<kind>.html" for a shipped HTML template
    source: bytes = b""  # the DOCX template, or an uploaded HTML template
    source_key: str = ""  # the upload's fingerprint (compiled once per process)


def run(job: RenderJob) -> bytes:
    """Render one job in this process; a template that breaks a rule raises DomainError."""
    from documents import rendering

    deadline = rendering.Deadline(job.seconds)
    if job.document_format == "pdf":
        if job.shipped_name:
            template = rendering.shipped_html(job.shipped_name)
        else:
            template = rendering.compile_html(job.source.decode("utf-8"), cache_key=job.source_key)
        html = rendering.render_html(template, job.context, deadline=deadline)
        return rendering.html_to_pdf(html, deadline=deadline)
    return rendering.render_docx(job.source, job.context, deadline=deadline)


def batch_processes() -> int:
    """How many processes render a batch: ``DOCUMENTS_BATCH_PROCESSES``, or (0) one per CPU, up to 8."""
    configured = int(getattr(settings, "DOCUMENTS_BATCH_PROCESSES", 0) or 0)
    if configured <= 0:
        return max(1, min(os.cpu_count() or 1, 8))
    return configured


def _limits() -> dict[str, Any]:
    return {name: getattr(settings, name) for name in dir(settings) if name.startswith("DOCUMENTS_")}


def _start_worker(settings_module: str, limits: dict[str, Any]) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    for name, value in limits.items():
        setattr(settings, name, value)
    from documents import rendering

    rendering.warm_up()


class _Deferred:
    """A job rendered in this process when its result is asked for (in the batch's order)."""

    def __init__(self, job: RenderJob) -> None:
        self.job = job

    def result(self) -> bytes:
        return run(self.job)


class _InProcess:
    """The pool's interface without processes (one CPU, or a batch too small to start them)."""

    def submit(self, job: RenderJob) -> _Deferred:
        return _Deferred(job)


# A process takes about a second to start (Python, Django, WeasyPrint's fonts), the time of
# four or five documents: a pool pays off when each of its processes has several to render.
JOBS_PER_PROCESS = 4


@contextmanager
def pool(jobs: int) -> Iterator[Any]:
    """Something whose ``submit(job)`` returns what ``result()`` gives the bytes of: a pool of
    processes when there are several CPUs and enough jobs for them, else this process."""
    processes = min(batch_processes(), jobs // JOBS_PER_PROCESS)
    if processes <= 1:
        yield _InProcess()
        return
    executor = ProcessPoolExecutor(
        max_workers=processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        # The settings module this process started with (under override_settings, Django's
        # own attribute is None); the limits as they are now, overrides included.
        initargs=(os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE, _limits()),
    )
    try:
        yield _Submitter(executor)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


class _Submitter:
    def __init__(self, executor: ProcessPoolExecutor) -> None:
        self.executor = executor

    def submit(self, job: RenderJob) -> Future[bytes]:
        return self.executor.submit(run, job)
