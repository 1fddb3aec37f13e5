"""Query-string filters of the list endpoints (django-filter)."""

from django.db.models import Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from calendarapp.exceptions import ValidationFailed
from calendarapp.models import Appointment, Event, TgUser
from calendarapp.parsing import MAX_TELEGRAM_ID, USERNAME_TYPED_MAX_LENGTH, parse_username

from .fields import DATE_PATTERN, StrictDateFormField, StrictIntegerFormField


@extend_schema_field(
    {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_TELEGRAM_ID}
)
class TelegramIdFilter(filters.NumberFilter):
    """A whole positive 64-bit number; anything else is a 400, never a database error."""

    field_class = StrictIntegerFormField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_TELEGRAM_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "format": "date", "pattern": DATE_PATTERN})
class DateFilter(filters.DateFilter):
    """YYYY-MM-DD in ASCII digits (Django's form field would take any script's digits)."""

    field_class = StrictDateFormField


class PublicEventFilter(filters.FilterSet):
    owner_tg_id = TelegramIdFilter(field_name="owner_id", help_text="Owner's Telegram id.")
    date_from = DateFilter(field_name="date", lookup_expr="gte")
    date_to = DateFilter(field_name="date", lookup_expr="lte")
    search = filters.CharFilter(
        method="filter_search", max_length=100, help_text="Text in the name or details."
    )

    class Meta:
        model = Event
        fields = ["owner_tg_id", "date_from", "date_to", "search"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(details__icontains=value))


class AppointmentFilter(filters.FilterSet):
    organizer_tg_id = TelegramIdFilter(field_name="organizer_id")
    participant_tg_id = TelegramIdFilter(field_name="participant_id")
    status = filters.ChoiceFilter(choices=Appointment.Status.choices)
    date_from = DateFilter(field_name="date", lookup_expr="gte")
    date_to = DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Appointment
        fields = ["organizer_tg_id", "participant_tg_id", "status", "date_from", "date_to"]


class UserFilter(filters.FilterSet):
    username = filters.CharFilter(
        method="filter_username",
        max_length=USERNAME_TYPED_MAX_LENGTH,
        help_text="Telegram username, case-insensitive; a leading @ is ignored.",
    )

    class Meta:
        model = TgUser
        fields = ["username"]

    def filter_username(self, queryset, name, value):
        try:
            username = parse_username(value)
        except ValidationFailed:  # a name no account can have matches nobody
            return queryset.none()
        return queryset.filter(username__iexact=username)
