"""`GET /feed/<token>.ics`: a user's calendar (own events and confirmed meetings) as a
private, revocable iCalendar subscription for Google, Apple or any CalDAV-less client.

The token is the only credential (services.feeds); an unknown or rotated token gets a bare
404 with no data. Polls are cheap: two aggregate queries make a version fingerprint, and a
matching If-None-Match / If-Modified-Since gets 304 (Django's `condition`) without reading
a single event. The body reuses the export ICS writer.
"""

import math

from django.http import HttpResponse, HttpResponseNotFound, StreamingHttpResponse
from django.views.decorators.http import condition, require_safe

from calendarapp.api.throttling import FeedRateThrottle
from calendarapp.selectors.calendar import (
    calendar_entries,
    calendar_time_zones,
    calendar_version,
    feed_by_token,
)
from calendarapp.services.feeds import note_feed_version

from .writers import ics_chunks


def _too_many(throttle) -> HttpResponse:
    response = HttpResponse("Too many requests.\n", status=429, content_type="text/plain")
    wait = throttle.wait()
    if wait:
        response["Retry-After"] = str(math.ceil(wait))
    return response


@require_safe
def calendar_feed(request, token: str):
    throttle = FeedRateThrottle()
    if not throttle.allow_request(request, None):
        return _too_many(throttle)
    feed = feed_by_token(token)
    if feed is None:
        return HttpResponseNotFound("Unknown calendar feed.\n", content_type="text/plain")
    owner = feed.owner
    # Weak: the bytes differ in DTSTAMP from one download to the next, the calendar does not.
    etag = f'W/"{note_feed_version(feed=feed, version=calendar_version(owner)).version}"'

    def body(request):
        response = StreamingHttpResponse(
            ics_chunks(owner, calendar_entries(owner=owner), calendar_time_zones(owner)),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = 'inline; filename="calendar.ics"'
        return response

    response = condition(
        etag_func=lambda request: etag, last_modified_func=lambda request: feed.changed_at
    )(body)(request)
    # Caches must ask again every time (a 304 is cheap) and never share the private body.
    response["Cache-Control"] = "private, no-cache"
    response["Referrer-Policy"] = "no-referrer"
    return response
