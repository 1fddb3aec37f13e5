"""The admin in one language at a time: every page in Russian and in English, in a real browser.

Russian is the default; a browser asking for English (Accept-Language) gets English, and the
switcher in the header changes it. A page fails when its Russian text has a Latin word, or its
English text a Cyrillic letter, outside a few technical tokens. The test's own objects hold
digits only, so whatever text remains is the admin's.
"""

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

USERNAME, PASSWORD = "100500", "7391-0264-5518"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Names and abbreviations that stay as they are in Russian text: ours, the keys Django's
# Russian catalog names for multiple choice, and its single sign-on (sic: "Sing-On").
TECHNICAL = {"ID", "IP", "Telegram", "ICS", "CSV", "JSON", "API", "UTC", "Django"}
TECHNICAL |= {"Control", "Command", "Mac", "LDAP"}
TECHNICAL_PHRASES = ("Single Sing-On", "Single Sign-On")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
CYRILLIC = re.compile(r"[А-Яа-яЁё]+")
URL_PATH = re.compile(r"(?<![\w/])/[\w./?=&%-]*")
# Not the admin's words: each language's own name in the switcher (a reader who does not
# understand the current language must find theirs), and the password hash's values.
NOT_CHROME = "#language-switcher button, .field-password bdi"
# Django 5.2 writes the alt text of its own icons untranslated (the search glass "Search",
# booleans "True"/"False"/"None"); copying its templates to fix that is not worth it.
DJANGO_ICONS = 'img[src*="/admin/img/"]'
# The log-in lock-outs (django-axes) as a few wrong passwords leave them: one request's fields.
LOG_IN = {
    "username": "666",
    "ip_address": "127.0.0.1",
    "user_agent": "777",
    "path_info": "/admin/login/",
    "http_accept": "888",
}

# Every text a person can see or hear on the page: text nodes (hidden ones too: a closed
# calendar widget opens), titles, placeholders, labels for screen readers, button captions.
PAGE_TEXT = """([skip, icons]) => {
  const parts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent && !parent.closest("script, style, noscript") && !parent.closest(skip)) {
      parts.push(node.nodeValue);
    }
  }
  const attributes = ["title", "placeholder", "aria-label", "alt"];
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(skip)) continue;
    for (const name of attributes) {
      if (el.hasAttribute(name) && !(name === "alt" && el.matches(icons))) {
        parts.push(el.getAttribute(name));
      }
    }
    if (el.matches("input[type=submit], input[type=button], input[type=reset]")) {
      parts.push(el.value);
    }
  }
  return parts.join("\\n");
}"""


def open_page(browser, accept_language: str):
    """A fresh browser profile whose Accept-Language is `accept_language`."""
    context = browser.new_context(
        locale=accept_language.split(",")[0],
        extra_http_headers={"Accept-Language": accept_language},
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda exc: page.problems.append(f"page error on {page.url}: {exc}"))
    page.on(
        "response",
        lambda r: r.status >= 400 and page.problems.append(f"HTTP {r.status}: {r.url}"),
    )
    return page


def log_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


@pytest.fixture
def objects(django_user_model):
    """One object of every model the admin shows, made of digits (created before Playwright
    starts its event loop in this thread)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token, TokenProxy

    from calendarapp.models import (
        Appointment,
        BotStatistics,
        Event,
        Invitation,
        OutboxMessage,
        TgUser,
    )

    root = django_user_model.objects.create_superuser(USERNAME, "", PASSWORD)
    day, time = timezone.localdate(), dt.time(10, 0)
    owner = TgUser.objects.create(tg_id=111, username="222", bot_started_at=timezone.now())
    guest = TgUser.objects.create(tg_id=112, username="223", bot_started_at=timezone.now())
    event = Event.objects.create(owner=owner, name="333", date=day, time=time)
    token = Token.objects.create(user=root)
    made = {
        TgUser: owner,
        Event: event,
        Appointment: Appointment.objects.create(
            event=event, organizer=owner, participant=guest, date=day, time=time
        ),
        BotStatistics: BotStatistics.objects.create(date=day, event_count=3),
        OutboxMessage: OutboxMessage.objects.create(chat_id=111, kind="444"),
        Invitation: Invitation.objects.create(
            code="999", event=event, organizer=owner, expires_at=timezone.now()
        ),
        django_user_model: root,
        Group: Group.objects.create(name="555"),
        TokenProxy: TokenProxy.objects.get(pk=token.pk),
        AccessAttempt: AccessAttempt.objects.create(
            **LOG_IN, get_data="", post_data="", failures_since_start=5
        ),
        AccessFailureLog: AccessFailureLog.objects.create(**LOG_IN, locked_out=True),
        AccessLog: AccessLog.objects.create(**LOG_IN),
    }
    # The token's key is random letters and digits: user data, removed before the check.
    return {"made": made, "root": root, "user_data": [token.key]}


def admin_pages(objects) -> list[str]:
    """Every page of the admin: index, each app, each model's changelist, add form, change
    form, history and delete confirmation, the chart's periods, the password pages."""
    root = objects["root"]
    request = RequestFactory().get("/admin/")
    request.user = root
    pages = [
        reverse("admin:index"),
        reverse("admin:password_change"),
        reverse("admin:password_change_done"),
    ]
    pages += sorted(
        {reverse("admin:app_list", args=[m._meta.app_label]) for m in admin.site._registry}
    )
    for model, model_admin in admin.site._registry.items():
        obj = objects["made"][model]  # a newly registered model needs an object above
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        # The token admin addresses a token by its user's id.
        object_id = quote(obj.user_id if model._meta.model_name == "tokenproxy" else obj.pk)
        pages.append(reverse(f"{prefix}_changelist"))
        if model_admin.has_add_permission(request):
            pages.append(reverse(f"{prefix}_add"))
        pages.append(reverse(f"{prefix}_change", args=[object_id]))
        pages.append(reverse(f"{prefix}_history", args=[object_id]))
        if model_admin.has_delete_permission(request, obj):
            pages.append(reverse(f"{prefix}_delete", args=[object_id]))
    pages.append(reverse("admin:calendarapp_botstatistics_changelist") + "?period=90")
    pages.append(reverse("admin:auth_user_password_change", args=[root.pk]))
    return pages


def foreign_words(text: str, language: str, user_data: list[str]) -> list[str]:
    for value in (*user_data, *TECHNICAL_PHRASES):
        text = text.replace(value, " ")
    text = URL_PATH.sub(" ", text)
    if language == "en":
        return sorted(set(CYRILLIC.findall(text)))
    return sorted({word for word in LATIN_WORD.findall(text) if word not in TECHNICAL})


def page_words(page, language: str, user_data: list[str]) -> list[str]:
    text = page.evaluate(PAGE_TEXT, [NOT_CHROME, DJANGO_ICONS])
    return foreign_words(text, language, user_data)


def test_the_check_sees_mixed_languages():
    assert foreign_words("Выберите статистика за день", "ru", []) == []
    assert foreign_words("Select статистика за день to view", "ru", []) == ["Select", "to", "view"]
    assert foreign_words("Select статистика за день to view", "en", []) == [
        "день",
        "за",
        "статистика",
    ]
    assert foreign_words("Telegram ID: 5, /admin/auth/user/", "ru", []) == []
    assert foreign_words("Ключ: ab12cd", "ru", ["ab12cd"]) == []


@pytest.mark.parametrize(
    ("accept_language", "language"),
    [("ru-RU,ru;q=0.9", "ru"), ("en-US,en;q=0.9", "en")],
    ids=["russian", "english"],
)
def test_every_admin_page_speaks_one_language(
    live_server, objects, browser, accept_language, language
):
    pages = admin_pages(objects)
    assert len(pages) > 40
    page = open_page(browser, accept_language)
    # The admin's journal of log-ins shows the browser's own User-Agent: not the admin's text.
    user_data = [*objects["user_data"], page.evaluate("navigator.userAgent")]
    log_in_page = page.goto(f"{live_server.url}/admin/login/")
    assert log_in_page.status == 200
    mixed = {}
    if words := page_words(page, language, user_data):
        mixed["/admin/login/"] = words
    log_in(page, live_server.url)
    for url in pages:
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, url
        assert page.locator("html").get_attribute("lang") == language, url
        if words := page_words(page, language, user_data):
            mixed[url] = words
    page.click("#logout-form button")
    page.wait_for_load_state()
    if words := page_words(page, language, user_data):
        mixed["logged out"] = words
    assert not mixed, "\n".join(f"{url}: {' '.join(words)}" for url, words in mixed.items())
    assert page.problems == []


def test_the_switcher_changes_the_language(live_server, objects, browser):
    page = open_page(browser, "ru-RU,ru;q=0.9")  # a Russian browser reads Russian at first
    log_in(page, live_server.url)
    url = reverse("admin:calendarapp_botstatistics_changelist")
    page.goto(f"{live_server.url}{url}")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("#statistics-chart h2").inner_text() == "Активность за 30 дней"
    assert page.locator("#language-switcher button").all_text_contents() == ["Русский", "English"]

    page.click("#language-switcher button[value=en]")
    page.wait_for_url(f"{live_server.url}{url}")  # back on the same page
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#statistics-chart h2").inner_text() == "Activity in the last 30 days"
    assert page.locator("#site-name").inner_text() == "Django administration"
    assert page.locator("#language-switcher button").all_text_contents() == ["Русский", "English"]
    page.goto(f"{live_server.url}/admin/")  # the choice is kept
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Telegram users").count() == 1

    page.click("#language-switcher button[value=ru]")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_role("link", name="Пользователи Telegram").count() == 1
    assert page.problems == []
