"""Query-string filters of the list endpoints (django-filter)."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.utils import ErrorDict, ErrorList
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter
from rest_framework.settings import api_settings

from calendarapp.exceptions import ValidationFailed
from calendarapp.models import Appointment, Event, Rsvp, TgUser
from calendarapp.parsing import MAX_TELEGRAM_ID, USERNAME_TYPED_MAX_LENGTH, parse_username

from .fields import (
    DATE_PATTERN,
    INTEGER_MESSAGE,
    StrictDateFormField,
    StrictIntegerFormField,
    parse_integer,
)
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
    """Query parameters as the schema says. One the endpoint does not know is a 400 naming it:
    ignored, a typo such as `?owner=` for `?owner_tg_id=` would answer every row as if that were
    the filtered list. An empty value is a value: a number, a date or a choice that is empty is
    a 400 (leave the parameter out for no filter); an empty text (`?search=`) matches all. A
    page size must be a number: DRF would fall back to the default size without a word."""

    def query_errors(self) -> dict[str, ValidationError]:
        text = {name for name, f in self.filters.items() if type(f) is filters.CharFilter}
        may_be_empty = text | {api_settings.ORDERING_PARAM, api_settings.URL_FORMAT_OVERRIDE}
        known = COMMON_PARAMS | set(self.filters)
        errors = {}
        for name, value in self.data.items():
            if name not in known:
                errors[name] = ValidationError(
                    "Unknown query parameter %(name)r.", code="unknown", params={"name": name}
                )
            elif value == "" and name not in may_be_empty:
                errors[name] = ValidationError(
                    "An empty value is not allowed: give one, or leave the parameter out.",
                    code="empty",
                )
        page_size = self.data.get(CappedPageNumberPagination.page_size_query_param)
        if page_size and (parse_integer(page_size) or 0) < 1:
            errors[CappedPageNumberPagination.page_size_query_param] = ValidationError(
                INTEGER_MESSAGE.replace("A whole number", "A whole number from 1"), code="invalid"
            )
        return errors

    def is_valid(self):
        return not self.query_errors() and super().is_valid()

    @property
    def errors(self):
        errors = ErrorDict(self.form.errors)
        for name, error in self.query_errors().items():
            errors[name] = ErrorList([error])
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


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` naming a field the endpoint cannot sort by is a 400 naming it; DRF would
    drop the term and answer in another order than asked."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        invalid = [term for term in fields if term not in valid]
        if invalid:
            allowed = ", ".join(name for name, _ in self.get_valid_fields(queryset, view))
            raise exceptions.ValidationError(
                {self.ordering_param: [f"Cannot order by {invalid!r}; use: {allowed}."]}
            )
        return valid


@extend_schema_field({"type": "string", "format": "date", "pattern": DATE_PATTERN})
class DateFilter(filters.DateFilter):
    """YYYY-MM-DD in ASCII digits (Django's form field would take any script's digits)."""

    field_class = StrictDateFormField


class PublicEventFilter(StrictFilterSet):
    owner_tg_id = TelegramIdFilter(field_name="owner_id", help_text="Owner's Telegram id.")
    # Checked here, applied by the view: a series that began before date_from still has
    # occurrences in the range (selectors.expansion).
    date_from = DateFilter(method="in_view", help_text="First day of the range (expands series).")
    date_to = DateFilter(method="in_view", help_text="Last day of the range (expands series).")
    search = filters.CharFilter(
        method="filter_search", max_length=100, help_text="Text in the name or details."
    )

    class Meta:
        model = Event
        fields = ["owner_tg_id", "date_from", "date_to", "search"]

    def in_view(self, queryset, name, value):
        return queryset

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


class AttendeeFilter(StrictFilterSet):
    answer = filters.ChoiceFilter(
        choices=Rsvp.Answer.choices,
        help_text="Only this answer (`waiting`: «going» beyond capacity).",
    )

    class Meta:
        model = Rsvp
        fields = ["answer"]


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
