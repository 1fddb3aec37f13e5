"""Admin as in the original project: users with activity counters, events (read-only), meetings,
daily statistics. Every changelist runs a constant number of queries.

The admin speaks Russian, or English to browsers that ask for it (LocaleMiddleware) and to
whoever picks it in the header's switcher; every label here is marked for translation.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.db.models import Count
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .charts import line_chart
from .models import Appointment, BotStatistics, Event, Invitation, OutboxMessage, TgUser
from .selectors.statistics import daily_series
from .text import clean_text


class CleanTextForm(forms.ModelForm):
    """Texts typed in the admin are stored as the bot and the API store them: without
    control characters, line breaks only where the field has lines (a TextField)."""

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str):
                field = self.instance._meta.get_field(name)
                cleaned[name] = clean_text(value, multiline=isinstance(field, models.TextField))
        return cleaned


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TgUser)
class TgUserAdmin(admin.ModelAdmin):
    form = CleanTextForm
    list_display = (
        "tg_id",
        "username",
        "first_name",
        "last_name",
        "event_total",
        "events_created",
        "events_edited",
        "events_cancelled",
        "is_active",
        "created_at",
    )
    list_filter = ("is_active", "language", "language_code")
    search_fields = ("=tg_id", "username", "first_name", "last_name")
    readonly_fields = (
        "events_created",
        "events_edited",
        "events_cancelled",
        "bot_started_at",
        "created_at",
        "updated_at",
    )
    ordering = ("-created_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_total=Count("events", distinct=True))

    @admin.display(description=_("событий сейчас"), ordering="event_total")
    def event_total(self, obj):
        return obj.event_total


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "date", "time", "owner", "is_public", "created_at")
    list_filter = ("is_public", "date")
    search_fields = ("name", "details", "owner__username", "=owner__tg_id")
    list_select_related = ("owner",)
    date_hierarchy = "date"
    ordering = ("-date", "-time", "-id")
    show_full_result_count = False


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    form = CleanTextForm
    list_display = ("id", "event", "organizer", "participant", "date", "time", "status")
    list_filter = ("status", "date")
    search_fields = (
        "=organizer__tg_id",
        "=participant__tg_id",
        "organizer__username",
        "participant__username",
        "event__name",
    )
    list_select_related = ("event", "organizer", "participant")
    raw_id_fields = ("event", "organizer", "participant")
    readonly_fields = ("responded_at", "created_at", "updated_at")


@admin.register(BotStatistics)
class BotStatisticsAdmin(ReadOnlyAdmin):
    list_display = (
        "date",
        "user_count",
        "event_count",
        "edited_events",
        "cancelled_events",
        "appointment_count",
    )
    date_hierarchy = "date"
    ordering = ("-date",)
    chart_periods = (30, 90)

    def changelist_view(self, request, extra_context=None):
        """Draw the chart of the chosen period above the daily table."""
        query = request.GET.copy()
        period = query.pop("period", [""])[-1]
        days = int(period) if period in {str(p) for p in self.chart_periods} else 30
        request.GET = query  # the changelist treats unknown parameters as bad filters
        extra_context = (extra_context or {}) | {
            "chart": line_chart(daily_series(days=days)),
            "chart_days": days,
            "chart_periods": self.chart_periods,
        }
        return super().changelist_view(request, extra_context)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Invitation links, to see who answered what; they are made and answered in the bot."""

    list_display = ("id", "event", "organizer", "invitee_tg_id", "status", "expires_at")
    list_filter = ("status",)
    list_select_related = ("event", "organizer")
    search_fields = ("=organizer__tg_id", "=invitee_tg_id")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "chat_id", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("=chat_id",)


# --- Django's own accounts, in the reader's language too ---------------------------------
# A permission's name is stored once, in English around the model's untranslated name ("Can
# add событие"); the default ones (add, change, delete, view) are labelled here instead.
PERMISSION_ACTIONS = {
    "add": _("Может добавлять: {model}"),
    "change": _("Может изменять: {model}"),
    "delete": _("Может удалять: {model}"),
    "view": _("Может просматривать: {model}"),
}


def permission_label(permission: Permission) -> str:
    content_type = permission.content_type
    model = content_type.model_class()
    action = permission.codename.removesuffix(f"_{content_type.model}")
    if model is None or action not in PERMISSION_ACTIONS or action == permission.codename:
        return str(permission)  # a custom permission: its own name
    action_label = PERMISSION_ACTIONS[action].format(model=model._meta.verbose_name)
    return f"{content_type} | {action_label}"


class TranslatedPermissionsMixin:
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.remote_field.model is Permission:
            queryset = kwargs.get("queryset", Permission.objects)
            kwargs["queryset"] = queryset.select_related("content_type")
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.remote_field.model is Permission:
            field.label_from_instance = permission_label
        return field


class UserPasswordForm(AdminPasswordChangeForm):
    # Django writes this warning as a plain English string, joined to the translated help
    # text once at import: rebuilt lazily, so both follow the reader's language.
    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _("Если выключить, текущий пароль пользователя будет утерян."),
    )


User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(TranslatedPermissionsMixin, auth_admin.UserAdmin):
    change_password_form = UserPasswordForm


@admin.register(Group)
class GroupAdmin(TranslatedPermissionsMixin, auth_admin.GroupAdmin):
    pass
