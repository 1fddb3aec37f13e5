"""Private calendar subscriptions (the ICS feed)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .calendar import TgUser
from .links import one_per_person


class CalendarFeed(models.Model):
    """A private calendar subscription URL: `/feed/<token>.ics` serves the owner's calendar.

    The token is stored as issued (not hashed): calendar apps keep polling the URL they
    subscribed to, so /feed must show the same link again, which a hash could not give back.
    Rotating replaces the token, and the old URL stops working at once.
    """

    owner = one_per_person(TgUser, verbose_name=_("владелец"), related_name="calendar_feed")
    token = models.CharField(_("ключ ссылки"), max_length=64, unique=True)
    issued_at = models.DateTimeField(_("выдан"), auto_now=True)
    # The calendar's version as last served (an ETag) and when it was first served; that
    # instant is the feed's Last-Modified (see services.feeds.note_feed_version).
    version = models.CharField(_("версия"), max_length=64, blank=True)
    changed_at = models.DateTimeField(_("изменён"), default=timezone.now)

    class Meta:
        verbose_name = _("подписка на календарь")
        verbose_name_plural = _("подписки на календарь")

    def __str__(self) -> str:
        return gettext("подписка пользователя {owner}").format(owner=self.owner_id)
