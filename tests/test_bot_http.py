"""The bot's aiohttp HTTP client for the Bot API (bot/transport/http.py) and its event loop."""

import asyncio
import io

import pytest
from aiohttp import web
from django.test import override_settings
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from calendarapp.bot.runtime import eventloop
from calendarapp.bot.transport.http import AiohttpRequest
from calendarapp.devtools.fake_bot_api import FakeBotApi


def _run(scenario):
    return asyncio.run(scenario())


def test_messages_with_buttons_reach_the_api_as_json():
    async def scenario():
        fake = await FakeBotApi().start()
        user = fake.user(42, "Ann")
        fake.send_text(user, "/start")  # opens the private chat
        request = AiohttpRequest()
        bot = Bot(fake.token, base_url=fake.base_url, request=request, get_updates_request=request)
        try:
            async with bot:
                markup = InlineKeyboardMarkup([[InlineKeyboardButton("Да", callback_data="y")]])
                sent = await bot.send_message(42, "Привет", reply_markup=markup)
        finally:
            await fake.stop()
        assert sent.text == "Привет" and sent.chat.id == 42
        message = fake.last_message(42)
        assert message.text == "Привет" and message.button_texts() == ["Да"]

    _run(scenario)


def test_api_errors_become_telegram_errors():
    async def scenario():
        fake = await FakeBotApi().start()
        fake.send_text(fake.user(42), "/start")
        bot = Bot(fake.token, base_url=fake.base_url, request=AiohttpRequest())
        try:
            async with bot:
                fake.fail("sendMessage", 429, retry_after=3)
                with pytest.raises(RetryAfter) as too_many:
                    await bot.send_message(42, "x")
                with pytest.raises(BadRequest, match="too long"):
                    await bot.send_message(42, "x" * 5000)
        finally:
            await fake.stop()
        assert "Retry in 3" in str(too_many.value)

    _run(scenario)


async def _server(handler) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/bot"


def test_a_server_that_does_not_answer_is_a_timeout():
    async def stalls(request):
        if request.match_info["method"] == "getMe":  # Bot.__aenter__ asks it
            return web.json_response({"ok": True, "result": _me()})
        await asyncio.sleep(5)
        return web.json_response({"ok": True, "result": True})

    async def scenario():
        runner, base_url = await _server(stalls)
        request = AiohttpRequest(read_timeout=0.2)
        try:
            async with Bot("1:T", base_url=base_url, request=request) as bot:
                with pytest.raises(TimedOut):
                    await bot.send_message(1, "x")
        finally:
            await runner.cleanup()

    _run(scenario)


def test_an_unreachable_server_is_a_network_error():
    async def scenario():
        runner, base_url = await _server(_never_called)
        await runner.cleanup()  # the port is closed now
        request = AiohttpRequest()
        await request.initialize()
        bot = Bot("1:T", base_url=base_url, request=request)
        try:
            with pytest.raises(NetworkError) as error:
                await bot.get_me()
        finally:
            await request.shutdown()
        assert not isinstance(error.value, TimedOut)

    _run(scenario)


def test_files_go_as_multipart():
    received = {}

    async def handler(request):
        if request.match_info["method"] == "getMe":
            return web.json_response({"ok": True, "result": _me()})
        form = await request.post()
        received["chat_id"] = form["chat_id"]
        received["file"] = form["document"].file.read()
        received["name"] = form["document"].filename
        return web.json_response({"ok": True, "result": _document_message()})

    async def scenario():
        runner, base_url = await _server(handler)
        try:
            async with Bot("1:T", base_url=base_url, request=AiohttpRequest()) as bot:
                await bot.send_document(7, io.BytesIO(b"a,b\n1,2\n"), filename="events.csv")
        finally:
            await runner.cleanup()

    _run(scenario)
    assert received == {"chat_id": "7", "file": b"a,b\n1,2\n", "name": "events.csv"}


@override_settings(BOT_EVENT_LOOP="uvloop")
def test_runbot_uses_uvloop_when_installed():
    pytest.importorskip("uvloop")
    try:
        assert eventloop.install() == "uvloop"
        loop = asyncio.get_event_loop()
        assert type(loop).__module__.startswith("uvloop")
        loop.close()
    finally:
        asyncio.set_event_loop(None)


@override_settings(BOT_EVENT_LOOP="asyncio")
def test_the_asyncio_loop_can_be_chosen():
    assert eventloop.install() == "asyncio"


async def _never_called(request):
    raise AssertionError("the server is down")


def _me() -> dict:
    return {"id": 1, "is_bot": True, "first_name": "Bot", "username": "bot"}


def _document_message() -> dict:
    return {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 7, "type": "private"},
        "document": {"file_id": "f", "file_unique_id": "u"},
    }


def test_the_bot_uses_aiohttp_unless_told_otherwise():
    from telegram.request import HTTPXRequest

    from calendarapp.bot.application import build_application
    from calendarapp.bot.transport.http import bot_requests

    application = build_application("1:T", "http://127.0.0.1:9/bot")
    assert isinstance(application.bot.request, AiohttpRequest)
    with override_settings(TELEGRAM_HTTP_CLIENT="httpx"):
        assert all(isinstance(request, HTTPXRequest) for request in bot_requests())
