"""The members' personal links: made when the convocation is sent, opened by the member.

A link (``/membres/<token>/``) is a bearer secret scoped to one person and one sitting; it
works until the end of the day after the sitting (Paris time), so that a sitting that runs
past midnight, or a member reading the documents the next morning, is not cut off.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.locking import lock
from deliberations.models import MemberAccess, Sitting
from parties.models import Person

# The whole day after the sitting's day still opens the link.
LINK_MARGIN = timedelta(days=1)


def link_expires_at(starts_at: datetime) -> datetime:
    """When a link to a sitting starting at ``starts_at`` stops working: midnight, Paris
    time, at the end of the day after the sitting's day."""
    zone = ZoneInfo(settings.TIME_ZONE)
    sitting_day = starts_at.astimezone(zone).date()
    return datetime.combine(sitting_day + timedelta(days=1) + LINK_MARGIN, time.min, tzinfo=zone)


def member_url(access: MemberAccess) -> str:
    """The absolute address of a member's page, as written in an e-mail."""
    base = str(settings.SITE_URL).rstrip("/")
    return base + reverse("deliberations:member_page", kwargs={"token": access.token})


@transaction.atomic
def get_or_create_access(*, sitting: Sitting, person: Person) -> MemberAccess:
    """The member's access to the sitting, made once; its expiry follows the sitting's date
    (a sitting moved to another day gets a new convocation, hence a new call here)."""
    expires_at = link_expires_at(sitting.starts_at)
    access = MemberAccess.objects.select_for_update().filter(sitting=sitting, person=person).first()
    if access is None:
        try:
            with transaction.atomic():
                return MemberAccess.objects.create(sitting=sitting, person=person, expires_at=expires_at)
        except IntegrityError:
            # Made by a concurrent sending in between: use that one.
            access = MemberAccess.objects.select_for_update().get(sitting=sitting, person=person)
    if access.expires_at != expires_at:
        access.expires_at = expires_at
        access.save(update_fields=["expires_at", "updated_at"])
    return access


def member_link(*, sitting: Sitting, person: Person) -> str:
    """The personal link of ``person`` to ``sitting`` (made on the first call, the same link
    afterwards), as an absolute URL for the convocation e-mail."""
    return member_url(get_or_create_access(sitting=sitting, person=person))


@transaction.atomic
def record_opening(*, access: MemberAccess, at: datetime) -> MemberAccess:
    """Record that the member opened their page: the first time once, the last time each time."""
    locked = lock(access)
    if locked.first_opened_at is None:
        locked.first_opened_at = at
    locked.last_opened_at = max(at, locked.first_opened_at, locked.last_opened_at or at)
    locked.save(update_fields=["first_opened_at", "last_opened_at", "updated_at"])
    return locked
