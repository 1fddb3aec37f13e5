"""API views: parse with a serializer, call a service or selector, shape the answer.

Domain errors raised by the services become JSON responses in `api.errors`; the view only
says which error codes concern which request field (`error_fields`: field -> codes) and
whether an unknown id is a 400 (it came in a POST body) or a 404.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from calendarapp.models import Rsvp
from calendarapp.parsing import parse_id
from calendarapp.selectors.appointments import all_appointments
from calendarapp.selectors.events import owner_of_event, public_events_listing
from calendarapp.selectors.expansion import (
    MAX_EXPANDED,
    MAX_RANGE_DAYS,
    check_range,
    expand_in_range,
    sort_like,
    with_next_occurrences,
)
from calendarapp.selectors.rsvp import answer_counts, attendees
from calendarapp.selectors.users import all_users
from calendarapp.services.appointments import create_appointment
from calendarapp.services.events import create_event
from calendarapp.services.export_tokens import issue_export_token_for_user
from calendarapp.services.rsvp import UNCHANGED, change_answer_settings
from calendarapp.services.users import TelegramProfile, create_user_profile

from . import serializers
from .base import (
    CREATE_ERRORS,
    LIST_ERRORS,
    RRULE_ERROR_CODES,
    StaffActionView,
    StaffListCreateView,
    error_doc,
    list_create_schema,
)
from .fields import parse_date
from .filters import (
    AppointmentFilter,
    AttendeeFilter,
    PublicEventFilter,
    StrictOrderingFilter,
    UserFilter,
)
from .pagination import CappedPageNumberPagination
from .permissions import Anyone, IsStaff
from .throttling import ExportTokenRateThrottle


class APIRootView(APIView):
    """The API's endpoints. Everything but public events needs a staff token or session."""

    permission_classes = [Anyone]
    schema = None

    def get(self, request, format=None):
        def link(name):
            return reverse(name, request=request, format=format)

        return Response(
            {
                "events": link("api:events"),
                "events/public": link("api:public-events"),
                "users": link("api:users"),
                "appointments": link("api:appointments"),
                "export/token": link("api:export-token"),
                "import": link("api:import"),
                "schema": link("api:schema"),
                "docs": link("api:docs"),
            }
        )


@extend_schema_view(
    get=extend_schema(
        responses={200: serializers.PublicEventSerializer(many=True), **LIST_ERRORS},
        description=(
            "Public events of every user, soonest first. Without `date_from` and `date_to` "
            "a series is one row (its first occurrence, `rrule`, `next_occurrences`). With "
            "either of them the days of that range are expanded: one row per occurrence, "
            "with that occurrence's `date`, `time` and `starts_at` (the series' `id`). One "
            f"side alone reaches {MAX_RANGE_DAYS} days; a longer range is a 400 "
            "`range_too_long`, `date_from` after `date_to` a 400 `range_reversed`, more than "
            f"{MAX_EXPANDED} rows in the range a 400 `too_many_occurrences`."
        ),
    )
)
class PublicEventListView(generics.ListAPIView):
    """Public events of every user, soonest first. Open to anonymous callers."""

    permission_classes = [Anyone]
    serializer_class = serializers.PublicEventSerializer
    pagination_class = CappedPageNumberPagination
    filterset_class = PublicEventFilter
    ordering_fields = ["date", "time", "name", "id"]
    error_fields = {
        "date_from": {"range_reversed"},
        "date_to": {"range_too_long", "too_many_occurrences"},
    }

    def get_queryset(self):
        return public_events_listing()

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())  # a 400 for a bad filter
        first, last = (parse_date(request.query_params.get(n)) for n in ("date_from", "date_to"))
        if first or last:
            first, last = check_range(first, last)
            rows = sort_like(
                expand_in_range(queryset, first=first, last=last),
                StrictOrderingFilter().get_ordering(request, queryset, self),
            )
        else:
            rows = queryset
        page = self.paginate_queryset(rows)
        data = self.get_serializer(with_next_occurrences(page), many=True).data
        return self.get_paginated_response(data)

    def paginate_queryset(self, queryset):
        """The page's answer counts in one query for the whole page, not one per event."""
        page = super().paginate_queryset(queryset)
        counts = answer_counts([event.pk for event in page])
        for event in page:
            event.rsvp_counts = counts[event.pk]
        return page


@extend_schema_view(
    get=extend_schema(
        responses={
            200: serializers.AttendeeSerializer(many=True),
            **LIST_ERRORS,
            404: error_doc("No such event (`event_not_found`), or the page does not exist."),
        }
    )
)
class EventAttendeesView(generics.ListAPIView):
    """Who answered an event's cards, in answer order (staff only); `answer` filters."""

    permission_classes = [IsStaff]
    serializer_class = serializers.AttendeeSerializer
    pagination_class = CappedPageNumberPagination
    filterset_class = AttendeeFilter
    ordering_fields = ["answered_at", "answer"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema asks without an event
            return Rsvp.objects.none()
        return attendees(event_id=parse_id(str(self.kwargs["event_id"])))


@extend_schema(
    request=serializers.EventCreateSerializer,
    responses={201: serializers.EventSerializer, **CREATE_ERRORS},
    description=(
        "Create an event for a registered user, as the bot's /create_event does; with "
        "`rrule` a series whose first occurrence is `date`. A bad rule is a 400 naming "
        "`rrule` with its code."
    ),
)
class EventCreateView(StaffActionView):
    """Create an event or a series for a user (staff only)."""

    error_fields = {
        "owner_tg_id": {"not_registered"},
        "name": {"name_empty", "name_too_long"},
        "date": {"date_too_early", "date_too_far", "in_past", "date_in_past"},
        "details": {"details_too_long"},
        "rrule": RRULE_ERROR_CODES,
    }

    def post(self, request):
        body = serializers.EventCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        event = create_event(
            owner_tg_id=data["owner_tg_id"],
            name=data["name"],
            date=data["date"],
            time=data["time"],
            details=data.get("details", ""),
            is_public=data["is_public"],
            rrule=data.get("rrule", ""),
        )
        shown = with_next_occurrences([event])[0]
        shown.rsvp_counts = answer_counts([event.pk])[event.pk]  # the schema's `rsvp`
        return Response(serializers.EventSerializer(shown).data, status=status.HTTP_201_CREATED)


class EventAnswersView(APIView):
    """Change an event's answer settings for its organiser (staff only)."""

    permission_classes = [IsStaff]
    error_fields = {"capacity": {"rsvp_capacity"}}

    @extend_schema(
        request=serializers.EventAnswersChangeSerializer,
        responses={
            200: serializers.EventSerializer,
            400: error_doc("Invalid body, an unknown key, or an id too large (`id_too_large`)."),
            401: error_doc("Missing or invalid credentials."),
            403: error_doc("The account may not use this endpoint (staff only)."),
            404: error_doc("No such event, or not the event of `owner_tg_id` (`event_not_found`)."),
        },
        description=(
            "Set the seats (`capacity`, null for no limit) and close or reopen answers "
            "(`rsvp_closed`) with the bot's own rules: people moved up from the waiting "
            "list are told by the bot, and the posted cards are edited. Keys left out stay "
            "as they are; both change together or neither does."
        ),
    )
    def patch(self, request, event_id):
        event_id = parse_id(str(event_id))
        body = serializers.EventAnswersChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        event = change_answer_settings(
            organizer_tg_id=data.get("owner_tg_id") or owner_of_event(event_id),
            event_id=event_id,
            capacity=data.get("capacity", UNCHANGED),
            closed=data.get("rsvp_closed"),
        )
        event = with_next_occurrences([event])[0]
        event.rsvp_counts = answer_counts([event.pk])[event.pk]
        return Response(serializers.EventSerializer(event).data)


@list_create_schema(
    serializers.UserSerializer,
    conflict="A user with this Telegram id already exists (`user_exists`).",
    description=(
        "Create a profile for someone who has not talked to the bot yet. A duplicate "
        "Telegram id is refused with 409 `user_exists`; the existing profile is not changed."
    ),
)
class UserListCreateView(StaffListCreateView):
    """Telegram users known to the calendar (staff only)."""

    serializer_class = serializers.UserSerializer
    filterset_class = UserFilter
    ordering_fields = ["tg_id", "username", "created_at"]
    error_fields = {"tg_id": {"invalid_tg_id", "user_exists"}}

    def get_queryset(self):
        return all_users()

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = create_user_profile(
            TelegramProfile(
                tg_id=data["tg_id"],
                username=data.get("username", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                language_code=data.get("language_code", ""),
            )
        )


@list_create_schema(
    serializers.AppointmentSerializer,
    conflict=(
        "The participant cannot be invited now: `already_invited`, or `participant_busy` "
        "(another meeting at that time)."
    ),
    description=(
        "Invite `participant_tg_id` to the organiser's event `event_id`. The same rules "
        "as the bot's /invite apply; the meeting starts `pending` and the participant "
        "gets the invitation from the bot. A participant who has not started the bot "
        "(a profile made through `/api/users/`, or someone who blocked it) gets it the "
        "moment they start it; until then `invite_url` is a link to forward to them."
    ),
)
class AppointmentListCreateView(StaffListCreateView):
    """Meetings between users (staff only)."""

    serializer_class = serializers.AppointmentSerializer
    filterset_class = AppointmentFilter
    ordering_fields = ["date", "time", "created_at", "id"]
    error_fields = {
        "organizer_tg_id": {"organizer_not_found"},
        "participant_tg_id": {
            "invite_self",
            "participant_not_found",
            "already_invited",
            "participant_busy",
        },
        "event_id": {"event_not_found"},
        "date": {"date_too_far", "date_too_early", "not_an_occurrence"},
        "details": {"comment_too_long"},
        "whole_series": {"not_a_series", "whole_series_with_date"},
    }

    def get_queryset(self):
        return all_appointments()

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = create_appointment(
            organizer_tg_id=data["organizer_id"],
            participant_tg_id=data["participant_id"],
            event_id=data["event_id"],
            details=data.get("details", ""),
            date=data.get("date"),
            time=data.get("time"),
            whole_series=data["whole_series"],
        )


class ExportTokenView(StaffActionView):
    """Issue a signed export link for one user's calendar (staff only, throttled)."""

    throttle_classes = [ExportTokenRateThrottle]
    error_fields = {"tg_user_id": {"invalid_tg_id", "user_not_found"}}

    @extend_schema(
        request=serializers.ExportTokenRequestSerializer,
        responses={
            201: serializers.ExportTokenSerializer,
            **CREATE_ERRORS,
            429: error_doc("Too many tokens issued; see the Retry-After header."),
        },
        description=(
            "Returns a token valid for EXPORT_TOKEN_MAX_AGE seconds and ready download links "
            "(CSV for Excel, JSON, ICS). The links need no other credentials."
        ),
    )
    def post(self, request):
        body = serializers.ExportTokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        issued = issue_export_token_for_user(body.validated_data["tg_user_id"])
        return Response(
            serializers.ExportTokenSerializer(issued).data, status=status.HTTP_201_CREATED
        )
