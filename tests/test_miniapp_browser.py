"""The Mini App in Debian's chromium, as Telegram shows it: a phone (390x844) and a desktop
client (1280x800), light and dark themes. Telegram's own script comes from telegram.org; here
a stand-in answers that address with what the real one offers (initData signed as Telegram
signs it, themeParams, the back and main buttons).

Fails on any console error, page error or failed request, on a page wider than the phone,
on text too faint to read, and on a control the keyboard cannot reach or shows no focus on.
"""

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import timezone

from calendarapp.models import Event
from calendarapp.services.events import create_event
from tests.support.browser import record_problems
from tests.support.miniapp import TOKEN, sign_init_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THEMES = {
    "light": {
        "bg_color": "#ffffff",
        "text_color": "#000000",
        "hint_color": "#707579",
        "link_color": "#3390ec",
        "button_color": "#3390ec",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#f4f4f5",
    },
    "dark": {
        "bg_color": "#212121",
        "text_color": "#ffffff",
        "hint_color": "#aaaaaa",
        "link_color": "#8774e1",
        "button_color": "#8774e1",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#181818",
    },
}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# What telegram-web-app.js gives a page, in the shape Telegram documents (WebApp object).
STUB = """
window.__telegram = {backShown: false, mainText: null, mainShown: false, ready: false};
(function () {
  const log = window.__telegram;
  let back = null, main = null;
  window.Telegram = {WebApp: {
    initData: %(init_data)s,
    initDataUnsafe: {},
    colorScheme: %(scheme)s,
    themeParams: %(theme)s,
    ready() { log.ready = true; },
    expand() {},
    onEvent() {},
    BackButton: {
      show() { log.backShown = true; }, hide() { log.backShown = false; },
      onClick(f) { back = f; }, offClick() { back = null; },
    },
    MainButton: {
      setText(t) { log.mainText = t; }, show() { log.mainShown = true; },
      hide() { log.mainShown = false; }, onClick(f) { main = f; }, offClick() { main = null; },
    },
  }};
  log.pressBack = () => back && back();
  log.pressMain = () => main && main();
})();
"""


@pytest.fixture(autouse=True)
def _token(settings):
    settings.TELEGRAM_BOT_TOKEN = TOKEN


def in_db(function):
    """Run ORM code off Playwright's event-loop thread (Django refuses it there)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function).result()


def open_app(
    browser, live_server, *, tg_id, scheme="light", viewport=PHONE, init_data=None, path="/app/"
):
    context = browser.new_context(viewport=viewport, locale="ru-RU")
    stub = STUB % {
        "init_data": json.dumps(sign_init_data(tg_id=tg_id) if init_data is None else init_data),
        "scheme": json.dumps(scheme),
        "theme": json.dumps(THEMES[scheme]),
    }
    context.route(
        "https://telegram.org/js/telegram-web-app.js",
        lambda route: route.fulfill(body=stub, content_type="application/javascript"),
    )
    page = context.new_page()
    record_problems(page)
    page.goto(f"{live_server.url}{path}")
    return page


CONTRAST = """(el) => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => {
    const linear = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    const [r, g, b] = rgb(c).map(linear);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  let node = el, bg = "rgba(0, 0, 0, 0)";
  while (node && (bg === "rgba(0, 0, 0, 0)" || bg === "transparent")) {
    bg = getComputedStyle(node).backgroundColor; node = node.parentElement;
  }
  const [a, b] = [lum(getComputedStyle(el).color), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


@pytest.fixture
def alice_with_events(make_user):
    alice = make_user(1001, "alice", "Alice")
    today = timezone.localdate()
    create_event(owner_tg_id=alice.tg_id, name="Стоматолог", date=today, time=dt.time(23, 58))
    create_event(
        owner_tg_id=alice.tg_id,
        name="Очень длинное название события, которое не должно ломать вёрстку на телефоне",
        date=today + dt.timedelta(days=2),
        time=dt.time(9, 0),
        details="Кабинет 5",
        is_public=True,
    )
    return alice


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_view_reads_well(live_server, alice_with_events, browser, tmp_path, scheme, viewport):
    page = open_app(
        browser, live_server, tg_id=alice_with_events.tg_id, scheme=scheme, viewport=viewport
    )
    page.wait_for_selector(".grid .cell.today")
    assert page.evaluate("window.__telegram.ready")
    today = timezone.localdate()
    # Telegram's colours are the page's colours.
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    expected = {"light": "rgb(255, 255, 255)", "dark": "rgb(33, 33, 33)"}[scheme]
    assert background == expected
    for view, ready in (("month", ".grid"), ("week", ".day"), ("agenda", ".day")):
        page.click(f"#tab-{view}")
        page.wait_for_selector(f'#view[data-shown="{view}"][aria-busy="false"] {ready} >> nth=0')
        assert page.locator(f"#tab-{view}").get_attribute("aria-selected") == "true"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), view
        entry = page.locator(".entry-name", has_text="Стоматолог")  # today: listed in each
        assert entry.count() == 1, view
        assert entry.evaluate(CONTRAST) >= 4.5, view
        for hint in page.locator(".muted, .entry-time").all()[:3]:
            assert hint.evaluate(CONTRAST) >= 3, view
        page.screenshot(path=tmp_path / f"{view}-{scheme}-{viewport['width']}.png", full_page=True)
    # The event's details and the form read as well, and fit.
    page.click(".entry:has-text('Очень длинное')")  # the list view, last in the loop
    page.wait_for_selector("#sheet-title")
    for sheet in ("details", "form"):
        if sheet == "form":
            page.click("#edit")
            page.wait_for_selector("#event-form")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), sheet
        assert page.locator("#sheet-title").evaluate(CONTRAST) >= 4.5, sheet
        page.screenshot(path=tmp_path / f"{sheet}-{scheme}-{viewport['width']}.png")
    page.keyboard.press("Escape")
    # The month shows a marker on the days with events.
    page.click("#tab-month")
    marker = page.locator(f'.cell[data-day="{today}"] .marker')
    assert marker.inner_text() == "1"
    assert page.problems == []


def test_create_edit_publish_and_delete_through_the_form(live_server, alice, browser):
    day = timezone.localdate() + dt.timedelta(days=3)
    page = open_app(browser, live_server, tg_id=alice.tg_id)
    page.wait_for_selector(".grid")

    page.click("#add")
    assert page.evaluate("window.__telegram.backShown")  # Telegram's back button closes it
    assert page.evaluate("window.__telegram.mainText") == "Сохранить"
    page.fill("#field-name", "Йога")
    page.fill("#field-date", day.isoformat())
    page.fill("#field-time", "07:30")
    page.fill("#field-details", "коврик")
    page.evaluate("window.__telegram.pressMain()")  # Telegram's main button saves
    page.wait_for_selector("#sheet-title:has-text('Йога')")
    event = in_db(lambda: Event.objects.get(owner_id=alice.tg_id))
    assert (event.name, event.date, event.time, event.details) == (
        "Йога",
        day,
        dt.time(7, 30),
        "коврик",
    )
    assert page.locator(f'.cell[data-day="{day}"] .marker').inner_text() == "1"

    page.click("#edit")
    page.fill("#field-time", "08:15")
    page.click("#save")
    page.wait_for_selector(".when:has-text('08:15')")
    page.click("#visibility")
    page.wait_for_selector("#visibility:has-text('Сделать личным')")
    event = in_db(lambda: Event.objects.get(owner_id=alice.tg_id))
    assert (event.time, event.is_public) == (dt.time(8, 15), True)

    # The organiser's seats and closed answers, in the same form.
    page.click("#edit")
    assert page.locator("#field-capacity").input_value() == ""  # no limit yet
    page.fill("#field-capacity", "12")
    page.check("#field-rsvp_closed")
    page.click("#save")
    page.wait_for_selector("#capacity:has-text('12')")
    assert page.locator("#rsvp-closed").inner_text() == "Ответы закрыты"
    event = in_db(lambda: Event.objects.get(owner_id=alice.tg_id))
    assert (event.capacity, event.rsvp_closed, event.time) == (12, True, dt.time(8, 15))
    page.click("#edit")
    assert page.locator("#field-capacity").input_value() == "12"
    page.fill("#field-capacity", "0")
    page.click("#save")
    page.wait_for_selector("#error-capacity:not(:empty)")
    assert page.locator("#error-capacity").inner_text() == "Проверьте это поле."
    assert in_db(lambda: Event.objects.get(owner_id=alice.tg_id).capacity) == 12
    page.fill("#field-capacity", "")
    page.uncheck("#field-rsvp_closed")
    page.click("#save")
    page.wait_for_selector("#sheet-title:has-text('Йога')")
    page.wait_for_selector("#capacity", state="detached")
    event = in_db(lambda: Event.objects.get(owner_id=alice.tg_id))
    assert (event.capacity, event.rsvp_closed) == (None, False)

    page.click("#delete")
    page.wait_for_selector("#delete-confirm")
    assert in_db(lambda: Event.objects.count()) == 1  # nothing before the confirmation
    page.click("#delete-confirm")
    page.wait_for_selector("#status:has-text('Событие удалено')")
    assert in_db(lambda: Event.objects.count()) == 0
    assert page.locator(f'.cell[data-day="{day}"] .marker').count() == 0
    # The refused capacity was a 400 with a reason; nothing else went wrong on the page.
    assert [p for p in page.problems if "HTTP 400" not in p and "400 (Bad Request)" not in p] == []


def test_bad_input_is_shown_next_to_its_field(live_server, alice, browser):
    page = open_app(browser, live_server, tg_id=alice.tg_id)
    page.wait_for_selector(".grid")
    page.click("#add")
    page.fill("#field-name", "   ")
    page.fill("#field-time", "10:00")
    page.click("#save")
    page.wait_for_selector("#error-name:not(:empty)")
    assert page.locator("#error-name").inner_text() == "Введите название."
    assert page.evaluate("document.activeElement.id") == "field-name"

    page.fill("#field-name", "Поход")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    page.fill("#field-date", yesterday.isoformat())
    page.click("#save")
    page.wait_for_selector("#error-date:not(:empty)")
    assert page.locator("#error-date").inner_text() == "Этот день уже прошёл."
    assert page.locator("#error-name").inner_text() == ""
    assert in_db(lambda: Event.objects.count()) == 0
    # The refusals were 400s with a reason; nothing else went wrong on the page.
    assert [p for p in page.problems if "HTTP 400" not in p and "400 (Bad Request)" not in p] == []


def test_every_control_is_reachable_by_keyboard_with_a_visible_focus(
    live_server, alice_with_events, browser
):
    page = open_app(browser, live_server, tg_id=alice_with_events.tg_id)
    page.wait_for_selector(".grid")
    reached = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const el = document.activeElement;
              if (el === document.body) return {id: "body", outline: true};
              const s = getComputedStyle(el);
              return {id: el.id || el.dataset.day || el.textContent.trim().slice(0, 20),
                      outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }"""
        )
        assert focused["outline"], focused
        reached.add(focused["id"])
    assert {"tab-month", "tab-week", "tab-agenda", "add"} <= reached
    assert str(timezone.localdate()) in reached  # the day cells too
    # Enter on "+" opens the form with its first field focused; Escape closes it.
    page.focus("#add")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "field-name"
    for label in page.locator("#event-form label").all():
        target = label.get_attribute("for")
        assert page.locator(f"#{target}").count() == 1  # every input has its label
    page.keyboard.press("Escape")
    assert page.locator("#sheet").is_hidden()
    assert page.evaluate("document.activeElement.id") == "add"


def test_outside_telegram_the_page_says_where_to_open_it(live_server, alice, browser):
    page = open_app(browser, live_server, tg_id=alice.tg_id, init_data="")
    page.wait_for_selector("#status:has-text('Откройте календарь из бота')")
    assert page.locator(".grid").count() == 0


def test_someone_who_never_started_the_bot_is_told_to_press_start(
    live_server, transactional_db, browser
):
    page = open_app(browser, live_server, tg_id=424242)
    page.wait_for_selector("#status:has-text('/start')")
    assert page.locator(".grid").count() == 0


def test_the_app_speaks_the_persons_language(live_server, make_user, browser):
    in_db(lambda: make_user(1003, "carol", "Carol", language_code="en-GB"))  # client in English
    page = open_app(browser, live_server, tg_id=1003)
    page.wait_for_selector(".grid")
    assert page.locator("#tab-month").inner_text() == "Month"
    assert page.locator(".weekday").first.inner_text() == "Mon"
    assert page.evaluate("document.documentElement.lang") == "en"
    page.click("#add")
    assert page.locator("label[for=field-name]").inner_text() == "Name"
    assert page.problems == []


def test_the_bots_button_opens_its_event(live_server, alice_with_events, browser):
    event = in_db(lambda: Event.objects.get(name="Стоматолог"))
    page = open_app(
        browser, live_server, tg_id=alice_with_events.tg_id, path=f"/app/?event={event.pk}"
    )
    page.wait_for_selector("#sheet-title:has-text('Стоматолог')")
    assert page.locator("#edit").is_visible()
    assert page.problems == []


def test_a_series_is_marked_in_every_view(live_server, alice_with_events, browser):
    from calendarapp.services.events import set_event_rule

    owner, day = alice_with_events.tg_id, timezone.localdate() + dt.timedelta(days=1)

    def make_series():
        made = create_event(owner_tg_id=owner, name="Йога", date=day, time=dt.time(8))
        set_event_rule(owner_tg_id=owner, event_id=made.pk, rule="FREQ=DAILY;COUNT=3")

    in_db(make_series)
    page = open_app(browser, live_server, tg_id=alice_with_events.tg_id)
    page.wait_for_selector(".grid")
    page.click("#tab-agenda")
    page.wait_for_selector(".entry-name:has-text('Йога')")
    series = page.locator(".entry:has(.entry-name:has-text('Йога'))")
    assert series.count() == 3
    assert series.locator(".repeats").count() == 3
    assert series.first.locator(".repeats").get_attribute("aria-label") == "Повторяется"
    one_off = page.locator(".entry:has(.entry-name:has-text('Стоматолог'))")
    assert one_off.locator(".repeats").count() == 0
    assert page.problems == []


@pytest.mark.e2e
def test_the_bot_and_the_app_show_the_same_calendar(live_server, browser):
    """The real bot on the fake Bot API and the app in chromium, on one database: what
    one side creates, the other shows, with its reminder scheduled and in the feed."""
    from calendarapp.services.feeds import get_or_issue_feed
    from tests.e2e.harness import BotRunner

    runner = BotRunner()
    try:
        ann = runner.user(5001, "Ann", "ann")
        ann.ask("/register")
        day = timezone.localdate() + dt.timedelta(days=4)
        for text in ("/create_event", "Из бота", day.isoformat(), "10:00"):
            ann.ask(text)
        ann.press("Пропустить")

        page = open_app(browser, live_server, tg_id=ann.id)
        page.wait_for_selector(".grid")
        page.click("#tab-agenda")
        page.wait_for_selector(".entry-name:has-text('Из бота')")

        page.click("#add")
        page.fill("#field-name", "Из приложения")
        page.fill("#field-date", day.isoformat())
        page.fill("#field-time", "12:00")
        page.click("#save")
        page.wait_for_selector("#sheet-title:has-text('Из приложения')")

        listing = ann.ask("/display_events")
        assert "Из бота" in listing and "Из приложения" in listing
        made = in_db(lambda: Event.objects.get(name="Из приложения"))
        assert made.remind_at is not None  # the owner's default reminder, as in the bot
        token = in_db(lambda: get_or_issue_feed(ann.id).token)
        feed = page.request.get(f"{live_server.url}/feed/{token}.ics").text()
        assert "SUMMARY:Из приложения" in feed and "SUMMARY:Из бота" in feed
        assert page.problems == []
    finally:
        runner.close()


@pytest.mark.parametrize("width", [360, 430])
def test_the_narrowest_and_widest_phones_scroll_only_down(
    live_server, alice_with_events, browser, width
):
    page = open_app(
        browser,
        live_server,
        tg_id=alice_with_events.tg_id,
        viewport={"width": width, "height": 800},
    )
    page.wait_for_selector(".grid")
    for view in ("month", "week", "agenda"):
        page.click(f"#tab-{view}")
        page.wait_for_selector(f'#view[data-shown="{view}"][aria-busy="false"]')
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), view
    page.click("#add")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.problems == []
