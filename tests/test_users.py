import pytest

from calendarapp.exceptions import Conflict, ValidationFailed
from calendarapp.models import BotStatistics, TgUser
from calendarapp.services.users import (
    TelegramProfile,
    create_user_profile,
    mark_user_unreachable,
    register_user,
)

pytestmark = pytest.mark.django_db


def today_stats() -> BotStatistics:
    return BotStatistics.objects.get()


def test_register_creates_user_and_counts_them_once():
    user, created = register_user(TelegramProfile(tg_id=42, username="ann", first_name="Ann"))
    assert created
    assert user.can_receive_messages
    again, created_again = register_user(TelegramProfile(tg_id=42, username="ann"))
    assert not created_again
    assert again.pk == 42
    assert TgUser.objects.count() == 1
    assert today_stats().user_count == 1


def test_register_refreshes_profile():
    register_user(TelegramProfile(tg_id=42, username="ann", first_name="Ann"))
    register_user(TelegramProfile(tg_id=42, username="ann_new", first_name="Anna", last_name="K"))
    user = TgUser.objects.get(pk=42)
    assert (user.username, user.first_name, user.last_name) == ("ann_new", "Anna", "K")


def test_register_reactivates_a_user_who_had_blocked_the_bot():
    register_user(TelegramProfile(tg_id=42))
    mark_user_unreachable(42)
    assert not TgUser.objects.get(pk=42).can_receive_messages
    register_user(TelegramProfile(tg_id=42))
    assert TgUser.objects.get(pk=42).is_active


def test_register_truncates_overlong_profile_fields():
    user, _ = register_user(TelegramProfile(tg_id=7, username="u" * 300, first_name="f" * 999))
    user.refresh_from_db()
    assert len(user.username) == 64
    assert len(user.first_name) == 256


@pytest.mark.parametrize("bad_id", [0, -5, 2**63, True])
def test_invalid_telegram_ids_are_refused(bad_id):
    with pytest.raises(ValidationFailed) as error:
        register_user(TelegramProfile(tg_id=bad_id))
    assert error.value.code == "invalid_tg_id"
    assert not TgUser.objects.exists()


def test_api_profile_cannot_receive_messages_until_user_starts_bot():
    user = create_user_profile(TelegramProfile(tg_id=55, username="later"))
    assert not user.can_receive_messages
    register_user(TelegramProfile(tg_id=55, username="later"))
    assert TgUser.objects.get(pk=55).can_receive_messages
    assert today_stats().user_count == 1


def test_api_profile_duplicate_is_a_conflict_and_keeps_the_original():
    create_user_profile(TelegramProfile(tg_id=55, username="first"))
    with pytest.raises(Conflict) as error:
        create_user_profile(TelegramProfile(tg_id=55, username="second"))
    assert error.value.code == "user_exists"
    assert TgUser.objects.get(pk=55).username == "first"
