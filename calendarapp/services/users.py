"""Registration and profile upkeep of Telegram users."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from calendarapp.exceptions import Conflict, NotRegistered, ValidationFailed
from calendarapp.i18n import SUPPORTED_LANGUAGES
from calendarapp.models import TgUser
from calendarapp.parsing import USERNAME_MAX_LENGTH, validate_tg_id
from calendarapp.text import clean_text
from calendarapp.timezones import resolve_timezone

from .appointment_cascades import follow_organizer_zone
from .events import follow_owner_zone
from .invitations import deliver_waiting_invitations
from .reminders import reschedule_user_reminders
from .statistics import bump_daily_statistics


@dataclass(frozen=True)
class TelegramProfile:
    """What Telegram tells us about a person (telegram.User, reduced to plain data)."""

    tg_id: int
    username: str = ""
    first_name: str = ""
    last_name: str = ""
    language_code: str = ""


def _profile_fields(profile: TelegramProfile) -> dict:
    """The profile as stored: one line each, without control characters (whether Telegram
    or the API sent it), cut to the columns' lengths."""

    def line(value: str, limit: int) -> str:
        return clean_text(value, multiline=False).strip()[:limit]

    return {
        "username": line(profile.username, USERNAME_MAX_LENGTH),
        "first_name": line(profile.first_name, 256),
        "last_name": line(profile.last_name, 256),
        "language_code": line(profile.language_code, 16),
    }


@transaction.atomic
def register_user(profile: TelegramProfile) -> tuple[TgUser, bool]:
    """Create or refresh the user who is talking to the bot. Idempotent.

    Returns (user, created); a new user is counted once in today's statistics.
    """
    validate_tg_id(profile.tg_id)
    fields = _profile_fields(profile) | {"is_active": True}
    user = TgUser.objects.select_for_update().filter(pk=profile.tg_id).first()
    if user is None:
        try:
            with transaction.atomic():
                user = TgUser.objects.create(
                    tg_id=profile.tg_id, bot_started_at=timezone.now(), **fields
                )
        except IntegrityError:
            # Someone registered the same id a moment ago: refresh their row instead.
            user = TgUser.objects.select_for_update().get(pk=profile.tg_id)
        else:
            bump_daily_statistics(user_count=1)
            return user, True
    was_reachable = user.can_receive_messages
    changed = [name for name, value in fields.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, fields[name])
    if user.bot_started_at is None:
        user.bot_started_at = timezone.now()
        changed.append("bot_started_at")
    if changed:
        user.save(update_fields=[*changed, "updated_at"])
    if not was_reachable:
        deliver_waiting_invitations(user.pk)
    return user, False


@transaction.atomic
def create_user_profile(profile: TelegramProfile) -> TgUser:
    """Create a profile for someone who has not talked to the bot yet (REST API).

    A duplicate id is refused: the API never silently overwrites a profile the person owns.
    """
    validate_tg_id(profile.tg_id)
    try:
        with transaction.atomic():
            user = TgUser.objects.create(tg_id=profile.tg_id, **_profile_fields(profile))
    except IntegrityError:
        raise Conflict(
            "A user with Telegram id {tg_id} already exists.",
            code="user_exists",
            tg_id=profile.tg_id,
        ) from None
    bump_daily_statistics(user_count=1)
    return user


@transaction.atomic
def note_bot_started(tg_id: int) -> TgUser | None:
    """A known person wrote /start: the bot may message them (again), e.g. with an invitation.

    Covers a profile made through the API (never started the bot) and someone who had blocked
    the bot and came back. Unknown people are not created here: that is /register's job.
    """
    user = TgUser.objects.filter(pk=tg_id).first()
    if user is not None and not user.can_receive_messages:
        user.bot_started_at = user.bot_started_at or timezone.now()
        user.is_active = True
        user.save(update_fields=["bot_started_at", "is_active", "updated_at"])
        deliver_waiting_invitations(user.pk)
    return user


def mark_user_unreachable(tg_id: int) -> None:
    """Telegram said 403: the person blocked the bot. Keep their data, stop messaging them."""
    TgUser.objects.filter(pk=tg_id, is_active=True).update(
        is_active=False, updated_at=timezone.now()
    )


@transaction.atomic
def set_user_timezone(*, tg_id: int, text: str) -> TgUser:
    """Set the zone from a name or a city; future reminders move with it."""
    name = resolve_timezone(text)
    user = TgUser.objects.select_for_update().get(pk=tg_id)
    if user.timezone != name:
        user.timezone = name
        user.save(update_fields=["timezone", "updated_at"])
        reschedule_user_reminders(user)
        # Dates and times stay as the person wrote them; the instants they mean move.
        follow_owner_zone(user)
        follow_organizer_zone(user)
    return user


@transaction.atomic
def set_user_language(*, tg_id: int, language: str) -> TgUser:
    """Remember the bot's language for this person; it wins over their Telegram client's."""
    language = (language or "").strip().lower()
    if language not in SUPPORTED_LANGUAGES:
        raise ValidationFailed(
            "Unknown language {language}.", code="language_unknown", language=language[:16]
        )
    user = TgUser.objects.select_for_update().filter(pk=tg_id).first()
    if user is None:
        raise NotRegistered()
    if user.language != language:
        user.language = language
        user.save(update_fields=["language", "updated_at"])
    return user
