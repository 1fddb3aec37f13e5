"""Languages: who reads what, the catalog check, lazy texts on their way to Telegram."""

import asyncio
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.utils import translation
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from calendarapp.bot import texts
from calendarapp.bot.runtime import orm
from calendarapp.bot.runtime.i18n import plain
from calendarapp.bot.runtime.profiles import Profiles
from calendarapp.devtools import messages
from calendarapp.exceptions import NotRegistered, ValidationFailed
from calendarapp.i18n import (
    language_for,
    language_from_telegram,
    recipient_language,
    resolve_language,
)
from calendarapp.models import TgUser
from calendarapp.services.users import set_user_language

APP_DIR = Path(messages.__file__).resolve().parents[1]
CYRILLIC = re.compile("[А-Яа-яЁё]")


# --- the real catalog -----------------------------------------------------------------------
def test_every_bot_text_has_a_fresh_compiled_english_translation():
    assert messages.problems() == []


def test_the_english_catalog_really_translates():
    with translation.override("en"):
        assert str(texts.BTN_CANCEL) == "Cancel"
        assert texts.EVENT_DELETED.format(id=5, name="Party") == 'Event #5 "Party" is deleted.'
        assert str(texts.ASK_NAME) == "What's the event called? (up to 200 characters)"
    assert str(texts.BTN_CANCEL) == "Отмена"  # Russian, the source, outside


# Words people type (matched, never shown) may stay plain.
INPUT_WORDS = {"CANCEL_WORDS"}


def _unmarked(value, where):
    if isinstance(value, str):
        return [where] if CYRILLIC.search(value) else []
    if isinstance(value, dict):
        return [bad for key, item in value.items() for bad in _unmarked(item, f"{where}[{key!r}]")]
    if isinstance(value, list | tuple):
        return [bad for i, item in enumerate(value) for bad in _unmarked(item, f"{where}[{i}]")]
    return []


def test_every_russian_text_in_texts_py_is_marked_for_translation():
    """A plain Russian string would reach English readers untranslated: wrap it in _()."""
    unmarked = [
        bad
        for name, value in vars(texts).items()
        if name.isupper() and name not in INPUT_WORDS
        for bad in _unmarked(value, f"texts.{name}")
    ]
    assert unmarked == []


@pytest.mark.skipif(
    not (shutil.which("xgettext") and shutil.which("msgmerge")),
    reason="GNU gettext (xgettext) is not installed; CI installs it (.ci/run)",
)
def test_a_fresh_makemessages_changes_nothing(tmp_path, monkeypatch):
    """What `make messages` would extract is what the check sees and what is committed."""
    copy = tmp_path / "calendarapp"
    shutil.copytree(APP_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], no_obsolete=True, no_wrap=True, verbosity=0)
    fresh = polib.pofile(str(copy / "locale/en/LC_MESSAGES/django.po"))
    committed = polib.pofile(str(APP_DIR / "locale/en/LC_MESSAGES/django.po"))

    def entries(po):
        return {(e.msgctxt, e.msgid): (e.msgstr, "fuzzy" in e.flags) for e in po}

    assert entries(fresh) == entries(committed)
    marked, _problems = messages.marked_texts(APP_DIR)
    assert set(entries(fresh)) == set(marked)


# --- the check itself, on small made-up catalogs ----------------------------------------------
@pytest.fixture
def project(tmp_path):
    """A tiny app with one translated text; tests spoil one thing and expect one problem."""
    root = tmp_path / "app"
    (root / "locale/en/LC_MESSAGES").mkdir(parents=True)
    (root / "texts.py").write_text(
        'from django.utils.translation import gettext_lazy as _\nHI = _("Привет, {name}")\n',
        encoding="utf-8",
    )
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "en"}
    po.append(polib.POEntry(msgid="Привет, {name}", msgstr="Hi, {name}"))

    def save(po=po):
        path = root / "locale/en/LC_MESSAGES/django.po"
        po.save(str(path))
        po.save_as_mofile(str(path.with_suffix(".mo")))

    save()

    class Project:
        def __init__(self):
            self.root, self.po, self.save = root, po, save

        def problems(self):
            return messages.problems(root, root / "locale", ("en",))

        def mark(self, code: str):
            with open(root / "texts.py", "a", encoding="utf-8") as file:
                file.write(code + "\n")

    return Project()


def test_check_passes_a_complete_catalog(project):
    assert project.problems() == []


def test_check_finds_a_new_text_without_entry(project):
    project.mark('BYE = _("Пока")')
    [problem] = project.problems()
    assert "no en entry for 'Пока'" in problem and "texts.py:3" in problem


def test_check_finds_an_empty_translation(project):
    project.mark('BYE = _("Пока")')
    project.po.append(polib.POEntry(msgid="Пока", msgstr=""))
    project.save()
    [problem] = project.problems()
    assert "no en translation of 'Пока'" in problem


def test_check_finds_a_fuzzy_translation(project):
    project.po[0].flags.append("fuzzy")
    project.save()
    assert any("fuzzy en translation" in p for p in project.problems())


def test_check_finds_wrong_placeholders(project):
    project.po[0].msgstr = "Hi, {user}"
    project.save()
    [problem] = project.problems()
    assert "placeholders ['user'], the source ['name']" in problem


def test_check_finds_a_stale_mo(project):
    path = project.root / "locale/en/LC_MESSAGES/django.po"
    project.po[0].msgstr = "Hello, {name}"
    project.po.save(str(path))  # the .po changed, the .mo was not compiled again
    [problem] = project.problems()
    assert "django.mo (en) is stale" in problem


def test_check_finds_a_missing_mo(project):
    (project.root / "locale/en/LC_MESSAGES/django.mo").unlink()
    [problem] = project.problems()
    assert "django.mo: missing" in problem


def test_check_finds_an_entry_the_code_dropped(project):
    project.po.append(polib.POEntry(msgid="Старое", msgstr="Old"))
    project.save()
    [problem] = project.problems()
    assert "'Старое' is not in the code any more" in problem


def test_check_reads_templates_as_makemessages_does(project):
    (project.root / "templates").mkdir()
    (project.root / "templates/page.html").write_text(
        "{% load i18n %}\n<h1>{% translate 'Пока' %}</h1>\n"
        "{% blocktranslate with days=n %}За {{ days }} дней{% endblocktranslate %}\n",
        encoding="utf-8",
    )
    project.po.append(polib.POEntry(msgid="За %(days)s дней", msgstr="Over %(count)s days"))
    project.save()
    assert sorted(project.problems()) == [
        "en translation of 'За %(days)s дней' has placeholders ['%(count)'], the source "
        "['%(days)']",
        "no en entry for 'Пока' (app/templates/page.html:2); run `make messages`, translate "
        "what it lists in app/locale/en/LC_MESSAGES/django.po, run it again",
    ]


def test_check_refuses_a_text_it_cannot_extract(project):
    project.mark("NAME = 'x'\nBAD = _(NAME)")
    [problem] = project.problems()
    assert "must be a string literal" in problem


def test_check_command_fails_with_the_list(project, monkeypatch, capsys):
    from django.core.management.base import CommandError

    from calendarapp.management.commands import checkmessages

    monkeypatch.setattr(checkmessages, "problems", project.problems)
    call_command("checkmessages")
    assert "complete and compiled" in capsys.readouterr().out
    project.mark('BYE = _("Пока")')
    with pytest.raises(CommandError, match="1 translation problem"):
        call_command("checkmessages")
    assert "'Пока'" in capsys.readouterr().err


# --- the admin's labels ------------------------------------------------------------------------
def _labels():
    """Every label the admin shows for the app's models: app, model, field, help and choice."""
    from django.apps import apps
    from django.contrib import admin

    config = apps.get_app_config("calendarapp")
    yield "app", config.verbose_name
    for model in config.get_models():
        opts = model._meta
        yield f"{model.__name__} verbose_name", opts.verbose_name
        yield f"{model.__name__} verbose_name_plural", opts.verbose_name_plural
        for field in [*opts.fields, *opts.many_to_many]:
            if field.auto_created:  # the id, named "ID" by Django
                continue
            where = f"{model.__name__}.{field.name}"
            yield where, field.verbose_name
            if field.help_text:
                yield f"{where} help_text", field.help_text
            for value, label in field.flatchoices:
                yield f"{where} choice {value!r}", label
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_config is config:
            for name in model_admin.list_display:
                description = getattr(getattr(model_admin, name, None), "short_description", None)
                if description is not None:
                    yield f"{type(model_admin).__name__}.{name}", description


def test_every_admin_label_is_marked_for_translation():
    """A plain string (or a label Django makes from a field's name) would show in one
    language to readers of the other: every label is a gettext_lazy text."""
    from django.utils.functional import Promise

    assert [where for where, label in _labels() if not isinstance(label, Promise)] == []


def test_the_admin_labels_read_in_english():
    from calendarapp.models import BotStatistics

    untranslated = []
    with translation.override("en"):
        for where, label in _labels():
            if CYRILLIC.search(str(label)):
                untranslated.append(f"{where}: {label}")
        assert str(BotStatistics._meta.verbose_name_plural) == "daily statistics"
    assert untranslated == []
    assert str(BotStatistics._meta.verbose_name_plural) == "статистика по дням"


# --- who reads which language -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("en", "en"),
        ("en-GB", "en"),
        ("EN_us", "en"),
        ("ru", "ru"),
        ("", "ru"),
        (None, "ru"),
        ("de", "ru"),
        ("uk", "ru"),
        ("english", "ru"),
    ],
)
def test_telegram_language_code_decides_until_a_choice(code, language):
    assert language_from_telegram(code) == language


def test_an_explicit_choice_wins():
    assert resolve_language("ru", "en-US") == "ru"
    assert resolve_language("en", "ru") == "en"
    assert resolve_language("", "en") == "en"
    assert resolve_language("xx", "en") == "en"  # a value that is not a language is no choice


@pytest.mark.django_db
def test_set_language_is_stored_and_validated():
    TgUser.objects.create(tg_id=1, language_code="ru")
    assert set_user_language(tg_id=1, language=" EN ").language == "en"
    assert TgUser.objects.get(pk=1).language == "en"
    with pytest.raises(ValidationFailed) as error:
        set_user_language(tg_id=1, language="klingon")
    assert error.value.code == "language_unknown"
    with pytest.raises(ValidationFailed):
        set_user_language(tg_id=1, language="")
    with pytest.raises(NotRegistered):
        set_user_language(tg_id=2, language="en")


def test_recipient_language_renders_for_the_recipient_not_the_sender():
    english = TgUser(tg_id=1, language_code="en")
    russian_choice = TgUser(tg_id=2, language_code="en", language="ru")
    assert language_for(None) == "ru"
    with translation.override("ru"):
        with recipient_language(english):
            assert str(texts.BTN_CANCEL) == "Cancel"
        with recipient_language(russian_choice):
            assert str(texts.BTN_CANCEL) == "Отмена"
        assert translation.get_language() == "ru"


def test_profiles_are_read_once_a_minute(transactional_db):
    """The per-update lookup of the sender's row (language, registration, time zone): one
    query per person per minute; elsewhere-made changes show once the entry expires, this
    process's own (/language, /timezone...) at once."""
    TgUser.objects.create(tg_id=1, language="en")
    now = [0.0]
    profiles = Profiles(ttl=60, max_size=2, clock=lambda: now[0])

    def language(tg_id):
        user = asyncio.run(profiles.get(tg_id))
        return user.language if user else None

    assert language(1) == "en"
    TgUser.objects.filter(pk=1).update(language="ru")  # e.g. in the admin
    now[0] = 59
    assert language(1) == "en"
    now[0] = 61
    assert language(1) == "ru"
    profiles.set(1, TgUser(tg_id=1, language="en"))  # /language in this process
    assert language(1) == "en"
    assert language(2) is None  # unknown people: no row
    assert language(3) is None
    assert 1 not in profiles._entries  # the oldest went: the size stays bounded
    asyncio.run(orm.close_connections())


# --- lazy texts on their way out ------------------------------------------------------------------
def test_lazy_texts_become_plain_strings_in_the_active_language():
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.BTN_CANCEL, callback_data="cancel")]]
    )
    with translation.override("en"):
        data = plain({"text": texts.CANCELLED, "reply_markup": markup, "n": 1})
    assert data == {
        "text": "Cancelled.",
        "reply_markup": {"inline_keyboard": [[{"text": "Cancel", "callback_data": "cancel"}]]},
        "n": 1,
    }
    assert type(data["text"]) is str
    plain_markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x")]])
    assert plain(plain_markup) is plain_markup  # nothing lazy: left alone


@pytest.mark.parametrize("threads", [0, 2], ids=["inline", "lanes"])
def test_database_calls_render_in_the_callers_language(threads, monkeypatch):
    if threads:  # BOT_DB_THREADS=2: the calls run on the lanes' threads, which must be told
        monkeypatch.setattr(orm, "INLINE", False)
        monkeypatch.setattr(orm, "_lanes", [orm.Lane(f"lane-{n}") for n in range(threads)])
        monkeypatch.setattr(orm, "_free", {"queue": None, "loop": None})

    async def both():
        async def render(language):
            with translation.override(language):
                return await orm.db(lambda: str(texts.BTN_CANCEL))()

        return await asyncio.gather(render("en"), render("ru"), render("en"))

    assert asyncio.run(both()) == ["Cancel", "Отмена", "Cancel"]


def test_concurrent_tasks_keep_their_own_language():
    async def speak(language, rounds=50):
        with translation.override(language):
            seen = set()
            for _ in range(rounds):
                await asyncio.sleep(0)  # let the other task run in between
                seen.add(str(texts.BTN_CANCEL))
            return seen

    async def both():
        return await asyncio.gather(speak("en"), speak("ru"))

    assert asyncio.run(both()) == [{"Cancel"}, {"Отмена"}]


# --- the web side ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_an_api_request_leaves_no_english_behind(client):
    """The API answers in English only for its own request: the worker thread goes back to
    Russian (the API middleware used to `activate` English and never restore it)."""
    assert client.get("/api/users/").json()["detail"].startswith("Authentication credentials")
    assert translation.get_language() == "ru"
    assert str(texts.BTN_CANCEL) == "Отмена"


@pytest.mark.django_db
def test_content_language_names_the_language_of_the_body(client, alice):
    """A Russian browser gets Russian pages labelled ru, and the English API, downloads, feed
    and probe labelled en (not the ru that Accept-Language asked for)."""
    from calendarapp.services.export_tokens import issue_export_token
    from calendarapp.services.feeds import get_or_issue_feed

    russian = {"HTTP_ACCEPT_LANGUAGE": "ru"}
    assert client.get("/", **russian)["Content-Language"] == "ru"
    assert client.get("/admin/login/", **russian)["Content-Language"] == "ru"
    token = issue_export_token(alice.pk).token
    for path in (
        "/api/",
        "/api/users/",  # an error: English too
        "/api/schema/",
        f"/export/csv/?token={token}",
        "/export/ics/?token=forged",
        f"/feed/{get_or_issue_feed(alice.pk).token}.ics",
        "/feed/unknown.ics",
        "/healthz",
    ):
        assert client.get(path, **russian)["Content-Language"] == "en", path
