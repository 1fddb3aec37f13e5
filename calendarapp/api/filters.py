"""Query-string filters of the list endpoints (django-filter)."""

from django.db.models import Q
from django.forms.utils import ErrorDict, ErrorList
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework.settings import api_settings

from calendarapp.exceptions import ValidationFailed
from calendarapp.models import Appointment, Event, TgUser
from calendarapp.parsing import MAX_TELEGRAM_ID, USERNAME_TYPED_MAX_LENGTH, parse_username

from .fields import DATE_PATTERN, StrictDateFormField, StrictIntegerFormField
from .pagination import CappedPageNumberPagination

# Query parameters every list endpoint knows besides its filters: pagination, ordering and
# DRF's ?format=.
COMMON_PARAMS = frozenset(
    {
        CappedPageNumberPagination.page_query_param,
        CappedPageNumberPagination.page_size_query_param,
        api_settings.ORDERING_PARAM,
        api_settings.URL_FORMAT_OVERRIDE,
    }
)


class StrictFilterSet(filters.FilterSet):
    """A parameter the endpoint does not know is a 400 naming it: ignored, a typo such as
    `?owner=` for `?owner_tg_id=` would answer every row as if that were the filtered list."""

    def unknown_params(self) -> list[str]:
        known = COMMON_PARAMS | set(self.filters)
        return sorted(name for name in self.data if name not in known)

    def is_valid(self):
        return not self.unknown_params() and super().is_valid()

    @property
    def errors(self):
        errors = ErrorDict(self.form.errors)
        for name in self.unknown_params():
            errors[name] = ErrorList([f"Unknown query parameter {name!r}."])
        return errors


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


class PublicEventFilter(StrictFilterSet):
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
        # Every alphabet's case, on SQLite too (calendarapp/search.py).
        return queryset.filter(Q(name__ufold_contains=value) | Q(details__ufold_contains=value))


class AppointmentFilter(StrictFilterSet):
    organizer_tg_id = TelegramIdFilter(field_name="organizer_id")
    participant_tg_id = TelegramIdFilter(field_name="participant_id")
    status = filters.ChoiceFilter(choices=Appointment.Status.choices)
    date_from = DateFilter(field_name="date", lookup_expr="gte")
    date_to = DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Appointment
        fields = ["organizer_tg_id", "participant_tg_id", "status", "date_from", "date_to"]


class UserFilter(StrictFilterSet):
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
