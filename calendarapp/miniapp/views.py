"""The Mini App: one page, and the JSON it reads and writes. Every change goes through the
services the bot uses; every request is signed in by its initData (see auth.py)."""

from csp.decorators import csp_replace, csp_update
from django.db import transaction
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_exempt
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from calendarapp.i18n import language_for
from calendarapp.selectors.appointments import active_guests_of
from calendarapp.selectors.events import get_own_event, get_visible_event
from calendarapp.selectors.occurrences import calendar_window
from calendarapp.services.events import (
    check_event_date,
    create_event,
    delete_event,
    set_event_reminder,
    set_event_visibility,
    update_event,
)
from calendarapp.services.rsvp import UNCHANGED, change_answer_settings
from calendarapp.timezones import user_now

from .auth import InitDataAuthentication
from .serializers import EventChangeSerializer, EventWriteSerializer, RangeSerializer
from .texts import catalog

# Telegram loads the app in an iframe in its web clients and requires its own script
# (core.telegram.org/bots/webapps, "Initializing Mini Apps").
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
TELEGRAM_WEB_CLIENTS = ["https://web.telegram.org"]


@xframe_options_exempt
@csp_update({"script-src": ["https://telegram.org"]})
@csp_replace({"frame-ancestors": TELEGRAM_WEB_CLIENTS})
def app_page(request):
    return render(
        request,
        "calendarapp/miniapp.html",
        {"texts": catalog(), "telegram_script": TELEGRAM_SCRIPT},
    )


# Which field of the form each code of a service's refusal is about.
ERROR_FIELDS = {
    "name": {"name_empty", "name_too_long"},
    "date": {"date_in_past", "date_too_far"},
    "time": {"in_past"},
    "details": {"details_too_long"},
    "reminder_minutes": {"reminder_invalid"},
    "capacity": {"rsvp_capacity"},
}


class MiniAppView(APIView):
    # The page's own endpoints, shaped for it: not part of the published REST API.
    schema = None
    authentication_classes = [InitDataAuthentication]
    permission_classes = [IsAuthenticated]
    error_fields = ERROR_FIELDS


def event_body(event, *, viewer_tg_id: int) -> dict:
    own = event.owner_id == viewer_tg_id
    body = {
        "id": event.pk,
        "name": event.name,
        "date": event.date.isoformat(),
        "time": event.time.strftime("%H:%M"),
        "details": event.details,
        "is_public": event.is_public,
        "can_edit": own,
    }
    if own:
        body["reminder_minutes"] = event.reminder_minutes
        body["capacity"] = event.capacity
        body["rsvp_closed"] = event.rsvp_closed
        body["guests"] = [
            {"name": meeting.participant.display_name, "status": meeting.status}
            for meeting in active_guests_of(event.pk)
        ]
    else:
        body["organiser"] = event.owner.display_name
        body["timezone"] = event.owner.timezone
    return body


class MeView(MiniAppView):
    def get(self, request):
        profile = request.user.profile
        return Response(
            {
                "tg_id": profile.tg_id,
                "name": profile.display_name,
                "language": language_for(profile),
                "timezone": profile.timezone,
                "default_reminder_minutes": profile.default_reminder_minutes,
                "today": user_now(profile).date().isoformat(),
            }
        )


class CalendarView(MiniAppView):
    """Entries of the days start..end (inclusive) on the reader's clock."""

    def get(self, request):
        window = RangeSerializer(data=request.query_params)
        window.is_valid(raise_exception=True)
        entries = calendar_window(
            owner_tg_id=request.user.tg_id,
            first=window.validated_data["start"],
            last=window.validated_data["end"],
        )
        for entry in entries:
            entry["date"] = entry["date"].isoformat()
            entry["time"] = entry["time"].strftime("%H:%M")
        return Response({"entries": entries})


class EventCreateView(MiniAppView):
    def post(self, request):
        form = EventWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # A day that is over is said of the date field, before the time is looked at.
        check_event_date(owner=request.user.profile, date=form.validated_data["date"])
        event = create_event(owner_tg_id=request.user.tg_id, **form.validated_data)
        return Response(
            event_body(event, viewer_tg_id=request.user.tg_id), status=status.HTTP_201_CREATED
        )


class EventDetailView(MiniAppView):
    def get(self, request, event_id: int):
        event = get_visible_event(viewer_tg_id=request.user.tg_id, event_id=event_id)
        return Response(event_body(event, viewer_tg_id=request.user.tg_id))

    def patch(self, request, event_id: int):
        form = EventChangeSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        changes = dict(form.validated_data)
        owner_tg_id = request.user.tg_id
        with transaction.atomic():  # every change of the form, or none
            get_own_event(owner_tg_id=owner_tg_id, event_id=event_id)
            if "date" in changes:
                check_event_date(owner=request.user.profile, date=changes["date"])
            fields = {
                key: changes.pop(key)
                for key in ("name", "date", "time", "details")
                if key in changes
            }
            if fields:
                update_event(owner_tg_id=owner_tg_id, event_id=event_id, **fields)
            if "is_public" in changes:
                set_event_visibility(
                    owner_tg_id=owner_tg_id, event_id=event_id, is_public=changes["is_public"]
                )
            if "reminder_minutes" in changes:
                set_event_reminder(
                    owner_tg_id=owner_tg_id, event_id=event_id, minutes=changes["reminder_minutes"]
                )
            if "capacity" in changes or "rsvp_closed" in changes:
                # The bot's rules: those moved up from the waiting list are told, cards edited.
                change_answer_settings(
                    organizer_tg_id=owner_tg_id,
                    event_id=event_id,
                    capacity=changes.get("capacity", UNCHANGED),
                    closed=changes.get("rsvp_closed"),
                )
            event = get_own_event(owner_tg_id=owner_tg_id, event_id=event_id)
        return Response(event_body(event, viewer_tg_id=owner_tg_id))

    def delete(self, request, event_id: int):
        delete_event(owner_tg_id=request.user.tg_id, event_id=event_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
