"""A small fake of the Telegram Bot API, served over HTTP on 127.0.0.1.

The real bot (python-telegram-bot pointed at `base_url`) talks to it exactly as to Telegram.
People and tests play Telegram users: they inject updates (commands with `bot_command`
entities, text, photos, stickers, inline button presses) and read what the bot sent.
Reply keyboards are remembered per chat, and a user can press the user-picker button
(`share_users`: a `users_shared` message). Telegram's limits are enforced (text length,
callback_data size, 403 for users who never started the bot or blocked it), and failures
can be injected (429 with retry_after, 5xx, answers slower than the bot's timeout).
Webhooks work like Telegram's: after `setWebhook`, updates are POSTed to the URL with the
secret in `X-Telegram-Bot-Api-Secret-Token`, at most `max_connections` at once, each
retried until the bot answers 2xx (as Telegram retries any other answer, a refused
connection or a timeout), and `getUpdates` answers 409. `route_webhooks_to` plays the
reverse proxy in front of the bot.
Inline mode: a user types `@bot text` (`inline_query`; the bot's `answerInlineQuery` is
checked against Telegram's limits and kept), chooses a result (the card becomes an inline
message, `chosen_inline_result`), and anyone presses its buttons (callback queries with
`inline_message_id` and no message); `editMessageText` by `inline_message_id` answers
"not modified" and, for edits of one inline message closer than `inline_edit_interval`,
429 like Telegram. A deleted inline message answers "message to edit not found".
Used by the end-to-end tests, `python manage.py chat` and `bench/bot_throughput.py`.
"""

import asyncio
import collections
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from django.utils.functional import Promise

MAX_TEXT = 4096
RETRY_FIRST, RETRY_MAX = 0.05, 2.0  # seconds between webhook deliveries of one update
MAX_CALLBACK_DATA = 64
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
BOT_USER = {
    "id": 777000111,
    "is_bot": True,
    "first_name": "Calendar",
    "username": "calendar_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
MAX_INLINE_RESULTS = 50
MAX_INLINE_ID = 64  # bytes: a result's id and next_offset


@dataclass
class FakeUser:
    id: int
    first_name: str = "Test"
    username: str = ""
    last_name: str = ""
    language_code: str = "ru"

    def as_json(self) -> dict:
        data = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.last_name:
            data["last_name"] = self.last_name
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat_json(self) -> dict:
        chat = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.username:
            chat["username"] = self.username
        return chat


@dataclass
class BotMessage:
    """A message the bot sent (and its current state after edits)."""

    message_id: int
    chat_id: int
    text: str
    reply_markup: dict | None = None
    edits: int = 0

    def buttons(self) -> list[dict]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def keyboard_buttons(self) -> list[dict]:
        """Buttons of a reply keyboard (shown under the input field), if the message has one."""
        rows = (self.reply_markup or {}).get("keyboard", [])
        return [
            button if isinstance(button, dict) else {"text": button}
            for row in rows
            for button in row
        ]

    def button_texts(self) -> list[str]:
        return [button["text"] for button in self.buttons()]


def _as_str(value):
    if isinstance(value, tuple):
        return tuple(_as_str(item) for item in value)
    return str(value) if isinstance(value, Promise) else value


class BotText(str):
    """What the bot said: a str that tests may also probe with the bot's lazy texts
    (`reply.startswith(texts.X)`, `texts.X in reply`), rendered in the active language."""

    __slots__ = ()

    def startswith(self, prefix, *args):
        return super().startswith(_as_str(prefix), *args)

    def endswith(self, suffix, *args):
        return super().endswith(_as_str(suffix), *args)

    def __contains__(self, item):
        return super().__contains__(_as_str(item))


@dataclass
class Activity:
    """One thing the bot did in a chat: a new message, an edit, or a callback answer."""

    kind: str  # "send" | "edit" | "answer"
    chat_id: int
    message: BotMessage | None = None
    text: str = ""
    at: float = field(default_factory=time.monotonic)

    def __post_init__(self):
        self.text = BotText(self.text)


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


def _person_of(update: dict) -> int:
    """The sender's id (else the chat's): whose updates must stay in order."""
    for value in update.values():
        if isinstance(value, dict):
            person = value.get("from") or value.get("user") or value.get("chat") or {}
            if isinstance(person, dict) and isinstance(person.get("id"), int):
                return person["id"]
    return 0


def _mark_command(message: dict, text: str) -> None:
    """Like Telegram: a message starting with /word carries a bot_command entity."""
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]


class FakeBotApi:
    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",  # noqa: S107 - a fake
        *,
        poll_cap: float = 10.0,
    ):
        self.token = token
        self.poll_cap = poll_cap
        self.users: dict[int, FakeUser] = {}
        self.started: set[int] = set()
        self.blocked: set[int] = set()
        self.messages: dict[int, BotMessage] = {}
        self.activity: dict[int, list[Activity]] = collections.defaultdict(list)
        self.commands: dict[str, list[dict]] = {}
        # setChatMenuButton: per chat id, None for the default of every private chat.
        self.menu_buttons: dict[int | None, dict] = {}
        # The reply keyboard each chat currently shows (None after remove_keyboard).
        self.keyboards: dict[int, dict | None] = {}
        self.calls: collections.Counter = collections.Counter()
        self.failures: list[dict] = []
        self._updates: list[dict] = []
        self.sent_updates: dict[int, dict] = {}  # every update the users made, by id
        self._again: list[dict] = []  # redelivered to a poller (see redeliver)
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._user_message_ids = itertools.count(10_000_000)
        self._callback_ids = itertools.count(1)
        self._open_callbacks: dict[str, int] = {}  # query id -> chat id
        self.answered_callbacks: set[str] = set()  # query ids the bot answered
        self.last_query_id = ""  # the id of the newest button press
        self.delays: list[dict] = []  # slow answers on demand (see `slow`)
        # Waiters are futures woken exactly when their chat (or the update queue) changes:
        # with many users, waking everyone on every message would cost O(users) per message.
        self._poll_waiters: list[asyncio.Future] = []
        self._chat_waiters: dict[int, list[asyncio.Future]] = collections.defaultdict(list)
        # Called with each Activity as it is recorded (the chat console prints it at once).
        self.watchers: list[Callable[[Activity], None]] = []
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        # Webhook state, as setWebhook left it; deliveries are the HTTP statuses we got back.
        self.webhook_url = ""
        self.webhook_secret = ""
        self.webhook_route = ""  # "http://127.0.0.1:port": where the proxy forwards to
        self.deliveries: list[int] = []
        self.delivered: collections.Counter = collections.Counter()  # update id -> 2xx
        self.undelivered: list[int] = []  # given up on (webhook_patience ran out)
        self.redeliveries = 0
        self.webhook_max_connections = 40  # setWebhook's max_connections
        self.webhook_patience = 120.0  # seconds an update is retried before giving up
        self.webhook_timeout = 10.0  # seconds the fake waits for the bot's HTTP answer
        self._slots: asyncio.Semaphore | None = None
        self._chat_turns: dict[int, asyncio.Lock] = collections.defaultdict(asyncio.Lock)
        self._slots_size = 0
        self._delivery_tasks: set[asyncio.Task] = set()
        self._client: aiohttp.ClientSession | None = None
        self._init_inline()
        # Documents people sent (send_document): file_id -> (file_path, bytes).
        self.files: dict[str, tuple[str, bytes]] = {}
        self._file_ids = itertools.count(1)

    # --- server lifecycle -----------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> "FakeBotApi":
        app = web.Application(client_max_size=2**20)
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def release_polls(self) -> None:
        """Answer pending long polls now (empty), so a bot can stop without waiting."""
        self._wake(self._poll_waiters)

    @staticmethod
    def _wake(waiters: list) -> None:
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
        waiters.clear()

    async def stop(self) -> None:
        await self.release_polls()
        for task in list(self._delivery_tasks):
            task.cancel()
        if self._client is not None:
            await self._client.close()
            self._client = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # --- acting as Telegram users ---------------------------------------------------------
    def user(self, tg_id: int, first_name: str = "Test", username: str = "", **extra) -> FakeUser:
        user = self.users.get(tg_id) or FakeUser(tg_id, first_name, username, **extra)
        self.users[tg_id] = user
        return user

    def _message_base(self, user: FakeUser) -> dict:
        self.started.add(user.id)  # writing to the bot opens the private chat
        self.blocked.discard(user.id)
        return {
            "message_id": next(self._user_message_ids),
            "from": user.as_json(),
            "chat": user.chat_json(),
            "date": int(time.time()),
        }

    def send_text(self, user: FakeUser, text: str) -> int:
        text = str(text)  # a test may type a lazy text (texts.X) as a person would
        message = self._message_base(user) | {"text": text}
        _mark_command(message, text)
        return self._push({"message": message})

    def send_photo(self, user: FakeUser) -> int:
        photo = {"file_id": "photo-1", "file_unique_id": "p1", "width": 90, "height": 90}
        return self._push({"message": self._message_base(user) | {"photo": [photo]}})

    def send_sticker(self, user: FakeUser) -> int:
        sticker = {
            "file_id": "sticker-1",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return self._push({"message": self._message_base(user) | {"sticker": sticker}})

    def send_document(
        self,
        user: FakeUser,
        content: bytes,
        file_name: str = "calendar.ics",
        mime_type: str = "text/calendar",
        *,
        caption: str = "",
    ) -> int:
        """A file sent to the bot; the bot fetches it with getFile and the file URL."""
        number = next(self._file_ids)
        file_id = f"doc-{number}"
        self.files[file_id] = (f"documents/file_{number}.ics", bytes(content))
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{number}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        fields = {"document": document} | ({"caption": caption} if caption else {})
        return self._push({"message": self._message_base(user) | fields})

    def send_raw(self, user: FakeUser, fields: dict) -> int:
        """A message with any fields (caption, document, entities...), for fuzzing."""
        return self._push({"message": self._message_base(user) | fields})

    def send_in_group(self, user: FakeUser, group_id: int, text: str) -> int:
        """The user writes in a group (negative id) the bot was added to."""
        self.started.add(group_id)  # a member of the group: the bot may write there
        message = {
            "message_id": next(self._user_message_ids),
            "from": user.as_json(),
            "chat": {"id": group_id, "type": "supergroup", "title": "Team"},
            "date": int(time.time()),
            "text": text,
        }
        _mark_command(message, text)
        return self._push({"message": message})

    def edit_text(self, user: FakeUser, message_id: int, text: str) -> int:
        """The user edits a message they sent earlier: Telegram sends it again, edited."""
        message = self._message_base(user) | {
            "message_id": message_id,
            "text": text,
            "edit_date": int(time.time()),
        }
        _mark_command(message, text)
        return self._push({"edited_message": message})

    def block_with_notice(self, user: FakeUser) -> int:
        """The user blocks the bot; Telegram tells the bot with a my_chat_member update."""
        self.blocked.add(user.id)
        bot = BOT_USER
        return self._push(
            {
                "my_chat_member": {
                    "chat": user.chat_json(),
                    "from": user.as_json(),
                    "date": int(time.time()),
                    "old_chat_member": {"status": "member", "user": bot},
                    "new_chat_member": {"status": "kicked", "user": bot, "until_date": 0},
                }
            }
        )

    def _callback_query(self, user: FakeUser, callback_data: str, **where) -> tuple[str, int]:
        """`user` pressed a button (`where`: of which message); the query stays open for
        answerCallbackQuery. Returns (query id, update id)."""
        query_id = str(next(self._callback_ids))
        self._open_callbacks[query_id] = user.id
        self.last_query_id = query_id
        query = {"id": query_id, "from": user.as_json(), "data": callback_data, **where}
        return query_id, self._push({"callback_query": query})

    def press(self, user: FakeUser, message: BotMessage, callback_data: str) -> int:
        where = {"chat_instance": str(user.id), "message": self._message_json(message)}
        return self._callback_query(user, callback_data, **where)[1]

    def share_users(self, user: FakeUser, *shared: FakeUser) -> int:
        """The user presses the chat's user-picker button (KeyboardButtonRequestUsers) and
        picks `shared`: Telegram sends the bot a `users_shared` service message."""
        keyboard = self.keyboards.get(user.id) or {}
        request = next(
            (
                button["request_users"]
                for row in keyboard.get("keyboard", [])
                for button in row
                if isinstance(button, dict) and "request_users" in button
            ),
            None,
        )
        if request is None:
            raise LookupError(f"chat {user.id} shows no user-picker button")
        limit = int(request.get("max_quantity", 1))
        users = []
        for person in shared[:limit]:
            entry = {"user_id": person.id}
            if request.get("request_name"):
                entry["first_name"] = person.first_name
            if request.get("request_username") and person.username:
                entry["username"] = person.username
            users.append(entry)
        if keyboard.get("one_time_keyboard"):
            self.keyboards[user.id] = None
        body = {"users_shared": {"request_id": request["request_id"], "users": users}}
        return self._push({"message": self._message_base(user) | body})

    def block(self, user: FakeUser) -> None:
        self.blocked.add(user.id)

    def fail(self, method: str, status: int, *, times: int = 1, retry_after: int = 1) -> None:
        """Make the next `times` calls of `method` fail (429 carries retry_after)."""
        self.failures.append(
            {"method": method.lower(), "status": status, "times": times, "retry_after": retry_after}
        )

    def slow(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Make the next `times` calls of `method` answer only after `seconds` (timeouts).

        The call still takes effect (like Telegram, which may deliver a message whose
        answer the bot never saw): only the HTTP answer is late.
        """
        self.delays.append({"method": method.lower(), "seconds": seconds, "times": times})

    def _push(self, body: dict) -> int:
        update_id = next(self._update_ids)
        update = {"update_id": update_id, **body}
        self.sent_updates[update_id] = update
        self._send(update)
        return update_id

    def redeliver(self, update_id: int) -> None:
        """Send an update again, as Telegram does when it never saw its delivery confirmed
        (by webhook; a poller gets it in its next getUpdates whatever its offset says)."""
        update = self.sent_updates[update_id]
        if self.webhook_url:
            self._send(update)
        else:
            self._again.append(update)
            self._wake(self._poll_waiters)

    def _send(self, update: dict) -> None:
        if self.webhook_url:
            task = asyncio.get_running_loop().create_task(self._deliver(update))
            self._delivery_tasks.add(task)
            task.add_done_callback(self._delivery_tasks.discard)
        else:
            self._updates.append(update)
            self._wake(self._poll_waiters)

    # --- webhooks -------------------------------------------------------------------------
    def route_webhooks_to(self, *origins: str) -> None:
        """Play the reverse proxy: deliver to `origin` (scheme://host:port), same path;
        several origins take turns (a round-robin balancer without health checks)."""
        self.webhook_routes = [origin.rstrip("/") for origin in origins]
        self.webhook_route = self.webhook_routes[0]
        self._turns = itertools.cycle(self.webhook_routes)

    def webhook_target(self) -> str:
        if not self.webhook_url:
            raise LookupError("no webhook registered")
        if not self.webhook_route:
            return self.webhook_url
        parts = urlsplit(self.webhook_url)
        query = f"?{parts.query}" if parts.query else ""
        return f"{next(self._turns)}{parts.path or '/'}{query}"

    async def post_update(
        self,
        update: dict,
        *,
        secret: str | None = "",
        content_type: str = "application/json",
        data: bytes | None = None,
    ) -> int:
        """POST one update to the webhook and return the HTTP status.

        `secret=""` sends the registered secret, None sends no header, anything else is
        sent as is (a forgery). `data` replaces the JSON body (malformed requests).
        """
        headers = {"Content-Type": content_type}
        secret = self.webhook_secret if secret == "" else secret
        if secret is not None:
            headers[SECRET_HEADER] = secret
        body = data if data is not None else json.dumps(update).encode()
        if self._client is None:
            self._client = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        timeout = aiohttp.ClientTimeout(total=self.webhook_timeout)
        async with self._client.post(
            self.webhook_target(), data=body, headers=headers, timeout=timeout
        ) as reply:
            await reply.read()
            return reply.status

    async def wait_for_webhook(self, timeout: float = 10.0) -> str:
        """Wait until the bot has registered a webhook; returns its URL."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.webhook_url:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError("the bot registered no webhook")
            waiter = loop.create_future()
            self._poll_waiters.append(waiter)  # setWebhook wakes poll waiters too
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, remaining)
        return self.webhook_url

    async def _deliver(self, update: dict) -> None:
        """Like Telegram: an update is delivered until the bot answers 2xx (any other status,
        no connection, no answer in time: again, after a pause that grows), with at most
        `max_connections` deliveries open at once. One person's updates go one at a time,
        in order (the next once the previous was answered); `webhook_timeout` short enough
        makes a retry race its first attempt still being handled."""
        async with self._chat_turns[_person_of(update)]:
            await self._deliver_in_turn(update)

    async def _deliver_in_turn(self, update: dict) -> None:
        pause = RETRY_FIRST
        deadline = time.monotonic() + self.webhook_patience
        while True:
            try:
                async with self._delivery_slots():
                    status = await self.post_update(update)
            except (aiohttp.ClientError, TimeoutError):
                status = None
            if status is not None:
                self.deliveries.append(status)
                if 200 <= status < 300:
                    self.delivered[update["update_id"]] += 1
                    return
            if time.monotonic() > deadline:
                self.undelivered.append(update["update_id"])
                return
            self.redeliveries += 1
            await asyncio.sleep(pause)
            pause = min(pause * 2, RETRY_MAX)

    def _delivery_slots(self) -> asyncio.Semaphore:
        if self._slots is None or self._slots_size != self.webhook_max_connections:
            self._slots = asyncio.Semaphore(self.webhook_max_connections)
            self._slots_size = self.webhook_max_connections
        return self._slots

    # --- reading what the bot did ---------------------------------------------------------
    def cursor(self, chat_id: int) -> int:
        return len(self.activity[chat_id])

    async def wait_for_activity(
        self, chat_id: int, after: int, *, count: int = 1, timeout: float = 5.0
    ) -> list[Activity]:
        """Wait until the chat has `count` bot actions after position `after`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.activity[chat_id]) < after + count:
            remaining = deadline - loop.time()
            if remaining <= 0:
                seen = [a.text for a in self.activity[chat_id][after:]]
                raise TimeoutError(f"chat {chat_id}: waited for {count} answer(s), got {seen}")
            waiter = loop.create_future()
            self._chat_waiters[chat_id].append(waiter)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, remaining)
        return self.activity[chat_id][after : after + count]

    def last_message(self, chat_id: int) -> BotMessage | None:
        for item in reversed(self.activity[chat_id]):
            if item.message is not None:
                return item.message
        return None

    def menu_for(self, user: FakeUser) -> list[dict]:
        """The command menu this user's client shows: Telegram picks the list set for the
        client's language (two-letter code), else the one set without a language."""
        language = (user.language_code or "")[:2].lower()
        return self.commands.get(language) or self.commands.get("", [])

    # --- the HTTP side --------------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        handler = getattr(self, f"_api_{method.lower()}", None)
        if handler is None:
            return self._error(ApiError(404, "Not Found: method not found"))
        params = await self._params(request)
        self.calls[method] += 1
        try:
            self._maybe_fail(method)
            result = await handler(params)
        except ApiError as error:
            return self._error(error)
        delay = self._delay(method)
        if delay:
            await asyncio.sleep(delay)
        return web.json_response({"ok": True, "result": result})

    def _delay(self, method: str) -> float:
        for delay in self.delays:
            if delay["method"] == method.lower() and delay["times"] > 0:
                delay["times"] -= 1
                return delay["seconds"]
        return 0.0

    @staticmethod
    async def _params(request: web.Request) -> dict:
        if request.content_type == "application/json":
            return await request.json()
        form = dict(await request.post()) if request.can_read_body else {}
        params = dict(request.query) | form
        for name, value in params.items():
            if isinstance(value, str) and value[:1] in "[{":
                with contextlib.suppress(ValueError):
                    params[name] = json.loads(value)
        return params

    def _maybe_fail(self, method: str) -> None:
        for failure in self.failures:
            if failure["method"] == method.lower() and failure["times"] > 0:
                failure["times"] -= 1
                if failure["status"] == 429:
                    raise ApiError(
                        429,
                        f"Too Many Requests: retry after {failure['retry_after']}",
                        failure["retry_after"],
                    )
                status = failure["status"]
                raise ApiError(status, "Bad Request: injected" if status < 500 else "Bad Gateway")

    @staticmethod
    def _error(error: ApiError) -> web.Response:
        body = {"ok": False, "error_code": error.code, "description": error.description}
        if error.retry_after is not None:
            body["parameters"] = {"retry_after": error.retry_after}
        return web.json_response(body, status=error.code)

    def _message_json(self, message: BotMessage) -> dict:
        if message.chat_id < 0:  # a group (send_in_group)
            chat = {"id": message.chat_id, "type": "supergroup", "title": "Team"}
        else:
            chat = (self.users.get(message.chat_id) or FakeUser(message.chat_id)).chat_json()
        data = {
            "message_id": message.message_id,
            "from": BOT_USER,
            "chat": chat,
            "date": int(time.time()),
            "text": message.text,
        }
        if message.edits:
            data["edit_date"] = int(time.time())
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            # Like Telegram: a Message carries inline keyboards only, not reply keyboards.
            data["reply_markup"] = message.reply_markup
        return data

    def _chat(self, params: dict) -> int:
        try:
            chat_id = int(params.get("chat_id"))
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if chat_id not in self.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    @staticmethod
    def _text(params: dict) -> str:
        text = str(params.get("text", ""))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return text

    @staticmethod
    def _markup(params: dict) -> dict | None:
        markup = params.get("reply_markup")
        if not markup:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("keyboard", []):
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not text:
                    raise ApiError(400, "Bad Request: keyboard button text is empty")
                request = button.get("request_users") if isinstance(button, dict) else None
                if request is not None and not isinstance(request.get("request_id"), int):
                    raise ApiError(400, "Bad Request: REQUEST_ID_INVALID")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                web_app = button.get("web_app")
                if web_app is not None:
                    FakeBotApi._check_web_app(web_app)
                inline_switch = any(key.startswith("switch_inline_query") for key in button)
                if data is None and not button.get("url") and web_app is None and not inline_switch:
                    raise ApiError(400, 'Bad Request: can\'t find field "callback_data"')
                url = button.get("url")
                if url is not None and "." not in (urlsplit(str(url)).hostname or ""):
                    # Telegram's rule: a URL button's host must have a dot (no localhost).
                    raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        return markup

    @staticmethod
    def _check_web_app(web_app) -> None:
        """Telegram opens Mini Apps from https addresses with a real host name only."""
        url = str(web_app.get("url", "")) if isinstance(web_app, dict) else ""
        parts = urlsplit(url)
        if parts.scheme != "https" or "." not in (parts.hostname or ""):
            raise ApiError(
                400,
                f"Bad Request: inline keyboard button Web App URL '{url}' is invalid: "
                "Only HTTPS links are allowed",
            )

    def _record(self, activity: Activity) -> None:
        self.activity[activity.chat_id].append(activity)
        self._wake(self._chat_waiters[activity.chat_id])
        for watcher in self.watchers:
            watcher(activity)

    def _own_message(self, params: dict) -> BotMessage:
        chat_id = self._chat(params)
        message = self.messages.get(int(params.get("message_id", 0)))
        if message is None or message.chat_id != chat_id:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    # --- Bot API methods ------------------------------------------------------------------
    # Telegram lets a bot download files of up to 20 MB (getFile refuses bigger ones).
    MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024

    async def _api_getfile(self, params):
        file_id = str(params.get("file_id", ""))
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        path, content = self.files[file_id]
        if len(content) > self.MAX_DOWNLOAD_BYTES:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": "u" + file_id.removeprefix("doc-"),
            "file_size": len(content),
            "file_path": path,
        }

    async def _download(self, request: web.Request) -> web.Response:
        """GET /file/bot<token>/<file_path>, as api.telegram.org serves getFile's paths."""
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        self.calls["download"] += 1
        for path, content in self.files.values():
            if path == request.match_info["path"] and len(content) <= self.MAX_DOWNLOAD_BYTES:
                return web.Response(body=content, content_type="application/octet-stream")
        return web.Response(status=404, text="Not Found")

    async def _api_getme(self, params):
        return BOT_USER

    async def _api_logout(self, params):
        return True

    async def _api_close(self, params):
        return True

    async def _api_setwebhook(self, params):
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = str(params.get("secret_token") or "")
        if secret and not (
            len(secret) <= 256 and all(c.isascii() and (c.isalnum() or c in "_-") for c in secret)
        ):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook_url, self.webhook_secret = url, secret
        self.webhook_max_connections = int(params.get("max_connections") or 40)
        self._wake(self._poll_waiters)
        return True

    async def _api_deletewebhook(self, params):
        self.webhook_url = self.webhook_secret = ""
        return True

    async def _api_getwebhookinfo(self, params):
        pending = 0 if self.webhook_url else len(self._updates)
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": pending,
        }

    async def _api_setmycommands(self, params):
        commands = params.get("commands") or []
        if not 0 < len(commands) <= 100:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        self.commands[params.get("language_code", "")] = commands
        return True

    async def _api_setchatmenubutton(self, params):
        button = params.get("menu_button") or {"type": "default"}
        if button.get("type") == "web_app":
            if not button.get("text"):
                raise ApiError(400, "Bad Request: menu button text is empty")
            self._check_web_app(button.get("web_app"))
        elif button.get("type") not in ("default", "commands"):
            raise ApiError(400, "Bad Request: unsupported menu button type")
        self.menu_buttons[params.get("chat_id")] = button
        return True

    async def _api_getchatmenubutton(self, params):
        chat = params.get("chat_id")
        return self.menu_buttons.get(chat) or self.menu_buttons.get(None) or {"type": "commands"}

    async def _api_getmycommands(self, params):
        return self.commands.get(params.get("language_code", ""), [])

    async def _api_sendchataction(self, params):
        self._chat(params)
        return True

    async def _api_getupdates(self, params):
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = min(float(params.get("timeout") or 0), self.poll_cap)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and not self._again and timeout > 0:
            waiter = asyncio.get_running_loop().create_future()
            self._poll_waiters.append(waiter)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, timeout)
        again, self._again = self._again, []
        return again + self._updates[: max(0, limit - len(again))]

    async def _api_sendmessage(self, params):
        chat_id = self._chat(params)
        text = self._text(params)
        markup = self._markup(params)
        message = BotMessage(next(self._message_ids), chat_id, text, markup)
        if markup and "keyboard" in markup:
            self.keyboards[chat_id] = markup
        elif markup and markup.get("remove_keyboard"):
            self.keyboards[chat_id] = None
        self.messages[message.message_id] = message
        self._record(Activity("send", chat_id, message, text))
        return self._message_json(message)

    async def _api_editmessagetext(self, params):
        if params.get("inline_message_id"):
            return self._edit_inline(params)
        message = self._own_message(params)
        text = self._text(params)
        markup = self._markup(params)
        if text == message.text and markup == message.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified")
        message.text, message.reply_markup = text, markup
        message.edits += 1
        self._record(Activity("edit", message.chat_id, message, text))
        return self._message_json(message)

    async def _api_editmessagereplymarkup(self, params):
        message = self._own_message(params)
        markup = self._markup(params)
        if markup == message.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified")
        message.reply_markup = markup
        message.edits += 1
        self._record(Activity("markup", message.chat_id, message, message.text))
        return self._message_json(message)

    async def _api_answercallbackquery(self, params):
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._open_callbacks:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired")
        text = str(params.get("text") or "")
        if len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        chat_id = self._open_callbacks.pop(query_id)
        self.answered_callbacks.add(query_id)
        if text:  # a toast shown to the person who pressed the button
            self._record(Activity("answer", chat_id, None, text))
        return True

    # --- inline mode ----------------------------------------------------------------------
    def _init_inline(self) -> None:
        self.inline_answers: dict[str, dict] = {}  # query id -> answerInlineQuery's params
        self._open_inline: dict[str, dict] = {}  # query id -> the inline_query sent
        self.inline_messages: dict[str, BotMessage] = {}
        self.inline_edits: list[tuple[str, float]] = []  # (inline_message_id, when)
        self.inline_refusals: collections.Counter = collections.Counter()  # 400/429 by kind
        self.inline_edit_interval = 0.0  # seconds; closer edits of one message get 429
        self._inline_ids = itertools.count(1)
        self._inline_waiters: list[asyncio.Future] = []

    def inline_query(self, user: FakeUser, query: str = "", offset: str = "") -> str:
        """The user types `@bot query` in some group; returns the inline query's id."""
        query_id = f"iq{next(self._callback_ids)}"
        body = {
            "id": query_id,
            "from": user.as_json(),
            "query": query,
            "offset": offset,
            "chat_type": "supergroup",
        }
        self._open_inline[query_id] = body
        self._push({"inline_query": body})
        return query_id

    async def wait_inline_answer(self, query_id: str, timeout: float = 5.0) -> dict:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while query_id not in self.inline_answers:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"inline query {query_id} was not answered")
            waiter = loop.create_future()
            self._inline_waiters.append(waiter)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, remaining)
        return self.inline_answers[query_id]

    def choose_inline_result(self, user: FakeUser, query_id: str, result_id: str) -> str:
        """The user picks a result: it is posted as an inline message; returns its id.
        Like Telegram, `chosen_inline_result` carries the id only for a result with buttons."""
        answer = self.inline_answers[query_id]
        result = next(r for r in answer["results"] if r["id"] == result_id)
        content = result["input_message_content"]
        inline_id = f"AgAAA{next(self._inline_ids):06d}-inline"
        message = BotMessage(0, 0, content["message_text"], result.get("reply_markup"))
        self.inline_messages[inline_id] = message
        chosen = {
            "result_id": result_id,
            "from": user.as_json(),
            "query": self._open_inline.get(query_id, {}).get("query", ""),
        }
        if result.get("reply_markup"):
            chosen["inline_message_id"] = inline_id
        self._push({"chosen_inline_result": chosen})
        return inline_id

    def press_inline(self, user: FakeUser, inline_message_id: str, callback_data: str) -> str:
        """A button of an inline message pressed (in a chat the bot may not be in)."""
        where = {"chat_instance": f"inline-{inline_message_id}"}
        return self._callback_query(
            user, callback_data, inline_message_id=inline_message_id, **where
        )[0]

    def delete_inline_message(self, inline_message_id: str) -> None:
        """Someone deleted the card in its chat: Telegram no longer knows it."""
        self.inline_messages.pop(inline_message_id, None)

    def _edit_inline(self, params: dict) -> bool:
        inline_id = str(params["inline_message_id"])
        message = self.inline_messages.get(inline_id)
        if message is None:
            self.inline_refusals["not found"] += 1
            raise ApiError(400, "Bad Request: message to edit not found")
        text = self._text(params)
        markup = self._markup(params)
        if text == message.text and markup == message.reply_markup:
            self.inline_refusals["not modified"] += 1
            raise ApiError(400, "Bad Request: message is not modified")
        now = time.monotonic()
        last = next((at for edited, at in reversed(self.inline_edits) if edited == inline_id), None)
        if last is not None and now - last < self.inline_edit_interval:
            self.inline_refusals["429"] += 1
            wait = max(1, int(self.inline_edit_interval - (now - last) + 0.999))
            raise ApiError(429, f"Too Many Requests: retry after {wait}", wait)
        message.text, message.reply_markup = text, markup
        message.edits += 1
        self.inline_edits.append((inline_id, now))
        return True

    async def _api_answerinlinequery(self, params):
        query_id = str(params.get("inline_query_id"))
        if query_id not in self._open_inline or query_id in self.inline_answers:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired")
        results = params.get("results")
        if isinstance(results, str):
            results = json.loads(results)
        if not isinstance(results, list) or len(results) > MAX_INLINE_RESULTS:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [str(result.get("id", "")) for result in results]
        if any(not 1 <= len(i.encode()) <= MAX_INLINE_ID for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        if len(set(ids)) != len(ids):
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        for result in results:
            content = result.get("input_message_content") or {}
            if not str(content.get("message_text", "")).strip():
                raise ApiError(400, "Bad Request: MESSAGE_EMPTY")
            if len(content["message_text"]) > MAX_TEXT:
                raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
            self._markup({"reply_markup": result.get("reply_markup")})
        next_offset = str(params.get("next_offset") or "")
        if len(next_offset.encode()) > MAX_INLINE_ID:
            raise ApiError(400, "Bad Request: NEXT_OFFSET_INVALID")
        try:
            cache_time = int(params.get("cache_time", 300))
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: cache_time is invalid") from None
        if cache_time < 0:
            raise ApiError(400, "Bad Request: cache_time is invalid")
        self.inline_answers[query_id] = {
            "results": results,
            "next_offset": next_offset,
            "cache_time": cache_time,
            "is_personal": str(params.get("is_personal")).lower() in ("true", "1"),
            "button": params.get("button"),
        }
        self._wake(self._inline_waiters)
        return True
