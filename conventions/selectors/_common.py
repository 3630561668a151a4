"""What every selector of the app shares."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _


def not_found(what: str) -> Http404:
    """The 404 of an object that is not the user's organizations' (or does not exist)."""
    return Http404(_("Aucun(e) %(what)s ne correspond à cette adresse.") % {"what": what})
