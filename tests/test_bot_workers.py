"""Routing of `runbot --workers N`: one person's updates always reach the same worker."""

from calendarapp.bot.workers import _worker_share, route, sender_id


def _message(user_id: int, chat_id: int, text: str = "hi") -> dict:
    return {"message_id": 1, "from": {"id": user_id}, "chat": {"id": chat_id}, "text": text}


def test_a_persons_messages_and_button_presses_go_to_one_worker():
    message = {"update_id": 10, "message": _message(7001, 7001)}
    press = {
        "update_id": 11,
        "callback_query": {"id": "q", "from": {"id": 7001}, "message": _message(1, 7001)},
    }
    assert sender_id(message) == sender_id(press) == 7001  # not the bot's id in the message
    assert route(message, 2) == route(press, 2) == 1
    assert route({"update_id": 12, "message": _message(7002, 7002)}, 2) == 0


def test_group_messages_go_by_their_author_and_updates_without_one_by_chat():
    assert sender_id({"update_id": 1, "message": _message(5, -100)}) == 5
    member = {"update_id": 2, "my_chat_member": {"chat": {"id": -100}, "from": {"id": 6}}}
    assert sender_id(member) == 6
    channel_post = {"update_id": 3, "channel_post": {"message_id": 1, "chat": {"id": -200}}}
    assert sender_id(channel_post) == -200
    assert route(channel_post, 3) in range(3)
    assert sender_id({"update_id": 4, "poll": {"id": "p", "question": "?"}}) == 0


def test_the_overall_rate_is_split_between_workers():
    assert _worker_share(30, 2) == 15
    assert _worker_share(30, 4) == 7
    assert _worker_share(1, 4) == 1  # never 0, which would mean "no limit"
    assert _worker_share(0, 2) == 0  # no limit stays no limit
