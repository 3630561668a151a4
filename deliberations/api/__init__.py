"""API of sittings and deliberations: the same services, rules and messages as the pages.

One router per subject, mounted here under the app's tag; ``config/api.py`` mounts ``router``.
"""

from deliberations.api import acts, assemblies, attendance, convocations, opendata, publication, sittings
from deliberations.api._common import Router

router = Router(tags=["Délibérations"])
router.add_router("", assemblies.router)
router.add_router("", sittings.router)
router.add_router("", attendance.router)
router.add_router("", convocations.router)
router.add_router("", acts.router)
router.add_router("", publication.router)
router.add_router("", opendata.router)

__all__ = ["router"]
