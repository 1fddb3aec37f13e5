"""Importing a calendar in the chat: an .ics document (getFile and the file download through
the fake Bot API) or /import <URL> (a real local HTTP server), a preview with
«Импортировать» / «Отмена», the import on the button, after a restart too, and a second
import of the same file updating instead of duplicating."""

import json
import pathlib
import urllib.error
import urllib.request

import pytest
from django.test import override_settings

from calendarapp.models import Event, ImportDraft
from calendarapp.services.ics_read import MAX_ICS_BYTES
from tests.support.processes import free_port
from tests.test_ics_fetch import Handler, Server

pytestmark = pytest.mark.e2e

GOOGLE = (pathlib.Path(__file__).parents[1] / "data" / "ics" / "google.ics").read_bytes()


def preview_of(user, count: int = 2) -> str:
    """The replies to a sent file: «Читаю…» and the preview (sent by the outbox)."""
    replies = [activity.text for activity in user.wait_for_replies(count)]
    previews = [text for text in replies if "Импортировать?" in text or "нет событий" in text]
    assert previews, replies
    return previews[-1]


def test_a_google_export_sent_as_a_file_is_previewed_and_imported_once(bot, registered_ann):
    ann = registered_ann
    ann.send_document(GOOGLE, "google.ics")
    preview = preview_of(ann)
    assert "В «google.ics»: событий — 3, серий — 2, даты с 04.01.2027 по 05.04.2027." in preview
    assert "Новых: 5, уже есть в календаре (обновятся): 0." in preview
    assert "События на весь день (1) будут в 00:00." in preview
    assert ann.buttons() == ["Импортировать", "Отмена"]
    assert Event.objects.filter(owner_id=ann.id).count() == 0
    assert bot.fake.calls["getFile"] == 1 and bot.fake.calls["download"] == 1
    done = ann.press("Импортировать")
    assert done.startswith("Готово: добавлено событий — 5, обновлено — 0, без изменений — 0.")
    assert Event.objects.filter(owner_id=ann.id).count() == 5
    # The same file again: recognised by UID, nothing added.
    ann.send_document(GOOGLE, "google.ics")
    assert "Новых: 0, уже есть в календаре (обновятся): 5." in preview_of(ann)
    assert ann.press("Импортировать").startswith("Готово: добавлено событий — 0, обновлено — 0")
    assert Event.objects.filter(owner_id=ann.id).count() == 5


def test_the_preview_survives_a_restart_and_an_old_button_does_nothing(bot, registered_ann):
    ann = registered_ann
    ann.send_document(GOOGLE, "google.ics")
    preview_of(ann)
    first = ann.last_message()
    go = first.buttons()[0]["callback_data"]
    bot.restart()
    assert ann.press("Импортировать").startswith("Готово: добавлено событий — 5")
    ann.press_data(go, first)  # pressed again: the file was imported already
    alert = ann.wait_for_reply()
    assert alert.text == "Этот предпросмотр устарел. Пришлите файл ещё раз."
    assert Event.objects.filter(owner_id=ann.id).count() == 5


def test_cancel_forgets_the_file(bot, registered_ann):
    ann = registered_ann
    ann.send_document(GOOGLE, "google.ics")
    preview_of(ann)
    assert ann.press("Отмена") == "Импорт отменён."
    assert not ImportDraft.objects.filter(owner_id=ann.id).exists()
    assert Event.objects.filter(owner_id=ann.id).count() == 0


def test_a_file_sent_in_the_middle_of_a_dialog_is_still_imported(bot, registered_ann):
    ann = registered_ann
    ann.ask("/create_event")
    ann.send_document(GOOGLE, "google.ics")
    assert "Новых: 5" in preview_of(ann)


def test_hostile_files_are_explained(bot, registered_ann):
    ann = registered_ann
    forever = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:f\r\nSUMMARY:Forever\r\n"
        b"DTSTART:20270110T100000Z\r\nRRULE:FREQ=SECONDLY;COUNT=1000000000\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )
    ann.send_document(forever, "forever.ics")
    preview = preview_of(ann)
    assert "В «forever.ics» нет событий, которые можно импортировать." in preview
    assert "— серии чаще раза в день: 1 («Forever»)" in preview
    assert ann.buttons() == []
    ann.send_document(b"hello", "notes.ics")
    replies = [activity.text for activity in ann.wait_for_replies(2)]
    assert "Не получилось импортировать «notes.ics»: Это не файл календаря (.ics)." in replies
    calls = bot.fake.calls["getFile"]
    ann.send_document(b"BEGIN:VCALENDAR\r\n" + b"x" * MAX_ICS_BYTES, "huge.ics")
    refused = ann.wait_for_reply().text
    assert refused.startswith("Не получилось импортировать «huge.ics»: Файл больше")
    assert bot.fake.calls["getFile"] == calls  # refused before downloading


def test_the_fake_refuses_files_over_telegrams_20_mb(bot, registered_ann):
    big = b"x" * (20 * 1024 * 1024 + 1)
    bot.call(bot.fake.send_document, registered_ann.user, big, "big.ics", "text/plain")
    registered_ann.wait_for_reply()  # our own limit answers first
    file_id = next(reversed(bot.fake.files))
    url = f"{bot.fake.base_url}{bot.fake.token}/getFile?file_id={file_id}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=10)  # noqa: S310 - the local fake
    assert json.loads(refused.value.read())["description"] == "Bad Request: file is too big"


@pytest.fixture
def calendar_server():
    import threading

    httpd = Server(("127.0.0.1", free_port()), Handler)
    httpd.seen = []
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_import_by_url_refuses_loopback_and_imports_from_an_allowed_server(
    bot, registered_ann, calendar_server
):
    ann = registered_ann
    url = f"http://127.0.0.1:{calendar_server.server_port}/cal.ics"
    assert ann.ask("/import").startswith("Чтобы импортировать календарь, пришлите файл .ics")
    assert ann.ask(f"/import {url}").endswith("Можно импортировать только по адресу https://.")
    with override_settings(ICS_IMPORT_ALLOW_HTTP=True):
        ann.send(f"/import {url}")
        replies = [activity.text for activity in ann.wait_for_replies(2)]
        assert any("ведёт во внутреннюю сеть" in text for text in replies), replies
        assert calendar_server.seen == []
        port = calendar_server.server_port
        with override_settings(ICS_IMPORT_LOOPBACK_PORTS=(port,)):
            ann.send(f"/import {url}")
            assert "серий — 2" in preview_of(ann)
            assert ann.press("Импортировать").startswith("Готово: добавлено событий — 5")
            ann.send(f"/import http://127.0.0.1:{port}/to-other-loopback")
            replies = [activity.text for activity in ann.wait_for_replies(2)]
            assert any("ведёт во внутреннюю сеть" in text for text in replies), replies
    assert Event.objects.filter(owner_id=ann.id).count() == 5
