"""Private calendar subscription links (ICS feeds): issued once, shown again, rotated.

The token is 32 random bytes (`secrets.token_urlsafe`, 43 characters): unguessable, so the
URL itself is the credential, as in Google's and Apple's "secret address" feeds.
"""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from calendarapp.models import CalendarFeed
from calendarapp.selectors.users import registered_user

FEED_TOKEN_BYTES = 32


@dataclass(frozen=True)
class FeedLinks:
    https: str  # the site's own scheme (https in production)
    webcal: str  # the same address with webcal://, which opens the calendar app


def _new_token() -> str:
    return secrets.token_urlsafe(FEED_TOKEN_BYTES)


def feed_links(feed: CalendarFeed) -> FeedLinks:
    url = f"{settings.SITE_BASE_URL}/feed/{feed.token}.ics"
    return FeedLinks(https=url, webcal="webcal://" + url.split("://", 1)[1])


def get_or_issue_feed(tg_id: int) -> CalendarFeed:
    """The user's feed, issued on first use; asking again gives the same link."""
    owner = registered_user(tg_id)
    feed, _created = CalendarFeed.objects.get_or_create(
        owner=owner, defaults={"token": _new_token()}
    )
    return feed


@transaction.atomic
def rotate_feed(tg_id: int) -> CalendarFeed:
    """A new token; the old URL stops working with this commit."""
    owner = registered_user(tg_id)
    feed, _created = CalendarFeed.objects.update_or_create(
        owner=owner, defaults={"token": _new_token(), "version": "", "changed_at": timezone.now()}
    )
    return feed


def note_feed_version(*, feed: CalendarFeed, version: str) -> CalendarFeed:
    """Remember when the calendar behind the feed was first served in this version.

    That instant is the feed's Last-Modified: it moves forward on every change, deletions
    included, which the rows' own `updated_at` cannot show (a deleted row leaves no trace).
    """
    if feed.version != version:
        # HTTP dates have whole seconds: step at least one second past the last version, so
        # a client that fetched in the same second still sees a newer Last-Modified.
        now = timezone.now().replace(microsecond=0)
        last = feed.changed_at.replace(microsecond=0)
        feed.version, feed.changed_at = version, max(now, last + dt.timedelta(seconds=1))
        CalendarFeed.objects.filter(pk=feed.pk).update(
            version=feed.version, changed_at=feed.changed_at
        )
    return feed
