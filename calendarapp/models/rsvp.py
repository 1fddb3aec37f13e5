"""Answers to an event's card («Иду» / «Может быть» / «Не иду») and the cards posted with them."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .calendar import Event, TgUser, TimeStamped
from .links import part_of
from .queues import due_index


class Rsvp(TimeStamped):
    """One person's answer to one event: changed in place, never a second row.

    `person` is a TgUser even for someone who never started the bot: a press carries their
    Telegram id and name, which is all a profile made through the API holds too, and it lets
    «Иду» put the event in their /calendar and feed with an ordinary join. Such a profile
    has no `bot_started_at`, so the bot never writes to them unasked.
    """

    class Answer(models.TextChoices):
        GOING = "going", _("иду")
        MAYBE = "maybe", _("может быть")
        NOT_GOING = "not_going", _("не иду")
        # «Иду» beyond the event's capacity: in line for a seat, in answer order. Never
        # pressed as such; it is how a «Иду» that found no seat is kept.
        WAITING = "waiting", _("в листе ожидания")

    event = part_of(Event, verbose_name=_("событие"), related_name="rsvps")
    person = part_of(TgUser, verbose_name=_("кто"), related_name="rsvps")
    answer = models.CharField(_("ответ"), max_length=16, choices=Answer.choices)
    answered_at = models.DateTimeField(_("ответ получен"))
    # People a «Иду» brings along (+1); they take seats of the capacity too.
    guests = models.PositiveSmallIntegerField(_("гостей"), default=0)

    class Meta:
        verbose_name = _("ответ на карточку")
        verbose_name_plural = _("ответы на карточки")
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="rsvp_one_per_person")
        ]
        indexes = [
            # The card: counts per answer and the first names, in answer order.
            models.Index(fields=["event", "answer", "answered_at"], name="rsvp_card_idx"),
            # The person's /calendar and feed: what they go to.
            models.Index(
                fields=["person", "event"],
                condition=Q(answer="going"),
                name="rsvp_going_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.event_id}: {self.answer}"


# The cards the card job still has to edit: what its claim reads (services.event_cards), and
# all that the index on them holds.
CARDS_TO_EDIT = Q(dirty=True, gone_at__isnull=True)


class EventCard(TimeStamped):
    """One posted copy of an event's card: an inline message in some chat, known to the bot
    only by Telegram's `inline_message_id` (the bot need not be in that chat), or a message
    the bot sent in a group it is a member of.

    Presses do not edit it: they set `dirty`, and the card job (bot/features/cards) edits
    each dirty card at most once per CARD_EDIT_INTERVAL with the state of that moment, so a
    burst of presses costs one edit and the last state wins. `gone_at`: Telegram no longer
    knows the message (deleted); it is never edited again.
    """

    event = part_of(Event, verbose_name=_("событие"), related_name="cards")
    inline_message_id = models.CharField(_("ID сообщения"), max_length=255, unique=True)
    # A card the bot sent itself (posted in a group it is in, by /post): edited by chat and
    # message, and its `inline_message_id` is "<chat>/<message>", unique all the same.
    chat_id = models.BigIntegerField(_("чат"), null=True, blank=True)
    message_id = models.BigIntegerField(_("сообщение в чате"), null=True, blank=True)
    dirty = models.BooleanField(_("ждёт правки"), default=False)
    next_edit_at = models.DateTimeField(_("править не раньше"), null=True, blank=True)
    edits = models.PositiveIntegerField(_("правок"), default=0)
    gone_at = models.DateTimeField(_("сообщение удалено"), null=True, blank=True)

    class Meta:
        verbose_name = _("карточка события")
        verbose_name_plural = _("карточки событий")
        indexes = [due_index("next_edit_at", waiting=CARDS_TO_EDIT, name="card_due_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.event_id})"
