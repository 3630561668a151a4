"""API of the conventions app: same rules and messages as the pages (services raise DomainError).

One router per subject, mounted here under the app's tag; ``config/api.py`` mounts ``router``.
"""

from conventions.api import committees, conventions, documents, life, opendata, programmes
from conventions.api._common import Router

router = Router(tags=["Conventions"])
# Before ``life``: its catch-all ``/amendments/{amendment_id}/{step}`` would take the avenant's documents.
router.add_router("", documents.router)
router.add_router("", conventions.router)
router.add_router("", life.router)
router.add_router("", committees.router)
router.add_router("", programmes.router)
router.add_router("", opendata.router)

__all__ = ["router"]
