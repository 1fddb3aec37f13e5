"""The outbox: notifications written with the change that causes them, sent by the bot.

Call `enqueue` inside the transaction of the change; if the change rolls back, so does the
message. The bot process claims due messages, renders them from `kind` and `payload`, and
marks them sent or schedules a retry.
"""

from calendarapp.models import OutboxMessage


def enqueue(chat_id: int, kind: str, **payload) -> OutboxMessage:
    return OutboxMessage.objects.create(chat_id=chat_id, kind=kind, payload=payload)
