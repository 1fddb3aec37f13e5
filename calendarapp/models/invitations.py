"""Invitation links: `https://t.me/<bot>?start=i-<code>` for people who may not use the bot yet."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .calendar import Appointment, Event, TgUser, TimeStamped
from .links import part_of, soft_link
from .queues import due_index

# Addressed invitations not delivered yet: what the invitee's first /start sends
# (services.invitations), and all that the index on them holds.
UNDELIVERED_INVITATIONS = Q(delivered_at__isnull=True, invitee_tg_id__isnull=False)


class Invitation(TimeStamped):
    """One link to one event. Open (no `invitee_tg_id`): the first person who answers it is
    bound to it. Addressed: only that Telegram id may answer; its meeting (`appointment`,
    pending) exists from the start and is delivered when they first open the bot.

    `code` is random (secrets.token_urlsafe), never the database id, and is all the link
    carries: Telegram's `start` payloads are at most 64 characters of A-Za-z0-9_-.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("ждёт ответа")
        ACCEPTED = "accepted", _("принято")
        DECLINED = "declined", _("отклонено")
        REVOKED = "revoked", _("отозвано")

    code = models.CharField(_("код ссылки"), max_length=32, unique=True)
    event = soft_link(Event, verbose_name=_("событие"), related_name="invitations")
    organizer = part_of(TgUser, verbose_name=_("организатор"), related_name="sent_invitations")
    invitee_tg_id = models.BigIntegerField(_("для Telegram ID"), null=True, blank=True)
    appointment = soft_link(
        Appointment,
        verbose_name=_("встреча"),
        related_name="invitation",
        field=models.OneToOneField,
    )
    details = models.TextField(_("комментарий"), blank=True)
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    expires_at = models.DateTimeField(_("действует до"))
    # An addressed invitation to someone the bot cannot write to yet: when it reached them
    # (their first /start, or the link itself).
    delivered_at = models.DateTimeField(_("доставлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("приглашение по ссылке")
        verbose_name_plural = _("приглашения по ссылке")
        indexes = [
            due_index(
                "invitee_tg_id", waiting=UNDELIVERED_INVITATIONS, name="invitation_waiting_idx"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_status_display()})"

    @classmethod
    def issue(cls, **fields) -> "Invitation":
        """A new link: 128 random bits (22 characters of A-Za-z0-9_-), valid for
        INVITATION_LINK_MAX_AGE seconds."""
        return cls.objects.create(
            code=secrets.token_urlsafe(16),
            expires_at=timezone.now() + dt.timedelta(seconds=settings.INVITATION_LINK_MAX_AGE),
            **fields,
        )
