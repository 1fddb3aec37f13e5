"""The admin log-in against password guessing (django-axes): after AXES_FAILURE_LIMIT wrong
passwords for one user name from one address, that pair is locked out for the cool-off time,
even with the right password; other addresses and other names are not. Staff see the attempts
in the admin, and the API's token authentication is not concerned."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "8204-5513-9917"
LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", "", PASSWORD)


def log_in(client, password, username="root", address="192.0.2.10", **headers):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def fail(client, times, **kwargs):
    """`times` wrong passwords; the one that reaches the limit gets the lock-out page."""
    for n in range(1, times + 1):
        response = log_in(client, "wrong", **kwargs)
        expected = 429 if n >= settings.AXES_FAILURE_LIMIT else 200  # 200: the form, an error
        assert response.status_code == expected, n


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_five_wrong_passwords_lock_the_name_out_from_that_address(client, root):
    assert settings.AXES_FAILURE_LIMIT == 5
    fail(client, 5)
    response = log_in(client, PASSWORD)  # the right password no longer helps
    assert response.status_code == 429
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds() == 900
    text = page_text(response)
    assert "Вход временно закрыт" in text
    assert "под именем «root» с этого адреса" in text and "закрыт на 15 мин." in text
    assert "_auth_user_id" not in client.session


def test_the_lock_out_page_speaks_english_to_an_english_browser(client, root):
    fail(client, 5, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    response = log_in(client, "wrong", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 429
    text = page_text(response)
    assert "Log-in temporarily closed" in text
    assert "as “root” from this address" in text and "closed for 15 min." in text
    assert not re.search("[А-Яа-яЁё]", text.replace("Русский", ""))


def test_the_lock_is_per_name_and_address(client, root, django_user_model):
    django_user_model.objects.create_superuser("other", "", PASSWORD)
    fail(client, 5)
    assert log_in(client, PASSWORD).status_code == 429
    # The same name from elsewhere, and another name from the same address, still get in.
    assert log_in(client, PASSWORD, address="198.51.100.7").status_code == 302
    client.logout()
    assert log_in(client, PASSWORD, username="other").status_code == 302


def test_a_successful_log_in_resets_the_count(client, root):
    fail(client, 4)
    assert log_in(client, PASSWORD).status_code == 302
    client.logout()
    fail(client, 4)
    assert log_in(client, PASSWORD).status_code == 302


def test_staff_see_the_lock_out_in_the_admin_and_can_lift_it(client, admin_client, root):
    from axes.models import AccessAttempt

    fail(client, 5)
    attempt = AccessAttempt.objects.get(username="root", ip_address="192.0.2.10")
    assert attempt.failures_since_start == 5
    page = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert page.status_code == 200
    assert "192.0.2.10" in page_text(page) and "Заблокирован" in page_text(page)

    admin_client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert log_in(client, PASSWORD).status_code == 302


def test_api_tokens_are_not_locked_out(client, root, api):
    fail(client, 5, username="service")  # the token's account, by name
    assert api.get("/api/users/").status_code == 200


def test_the_russian_catalog_for_other_packages_is_compiled():
    """webapp/locale/ru completes django-axes' Russian: its .mo holds exactly the .po."""
    import polib

    directory = settings.BASE_DIR / "webapp" / "locale" / "ru" / "LC_MESSAGES"
    po, mo = polib.pofile(directory / "django.po"), polib.mofile(directory / "django.mo")
    assert all(entry.msgstr for entry in po), "every entry needs its Russian"
    assert {e.msgid: e.msgstr for e in po} == {e.msgid: e.msgstr for e in mo if e.msgid}
