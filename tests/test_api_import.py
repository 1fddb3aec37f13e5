"""POST /api/import/ (staff): a multipart .ics file or a JSON {url}, previewed or imported
for a person; refusals are 400s with a stable code; the endpoint is in the schema."""

import pathlib

import pytest
from django.test import override_settings

from calendarapp.models import Event
from calendarapp.services.ics_read import MAX_ICS_BYTES
from tests.test_ics_fetch import server  # noqa: F401 - the local HTTP server fixture

GOOGLE = pathlib.Path(__file__).parent / "data" / "ics" / "google.ics"


def upload(api, owner: int, data: bytes, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = {"tg_user_id": owner, "file": SimpleUploadedFile("cal.ics", data)} | extra
    return api.post("/api/import/", body, format="multipart")


def test_a_file_is_previewed_then_imported_and_a_second_import_keeps_the_count(api, alice):
    preview = upload(api, alice.pk, GOOGLE.read_bytes())
    assert preview.status_code == 200, preview.content
    assert preview.json() | {"skipped_examples": {}} == {
        "imported": False,
        "events": 3,
        "series": 2,
        "first_date": "2027-01-04",
        "last_date": "2027-04-05",
        "new": 5,
        "existing": 0,
        "unchanged": 0,
        "skipped": {},
        "skipped_examples": {},
        "notes": {"all_day": 1, "override": 1, "other_zone": 2},
    }
    assert Event.objects.count() == 0
    done = upload(api, alice.pk, GOOGLE.read_bytes(), confirm="true")
    assert (done.json()["imported"], done.json()["new"]) == (True, 5)
    again = upload(api, alice.pk, GOOGLE.read_bytes(), confirm="true").json()
    assert (again["new"], again["existing"], again["unchanged"]) == (0, 5, 5)
    assert Event.objects.filter(owner=alice).count() == 5


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        (b"not a calendar", "ics_not_calendar", "file"),
        (b"BEGIN:VCALENDAR\r\n" + b"x" * MAX_ICS_BYTES, "ics_too_large", "file"),
    ],
)
def test_bad_files_are_400s_with_a_code(api, alice, data, code, field):
    response = upload(api, alice.pk, data)
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)


def test_an_unknown_person_and_a_missing_source_are_400s(api, alice):
    unknown = upload(api, 999_999, GOOGLE.read_bytes())
    assert (unknown.status_code, unknown.json()["code"]) == (400, "not_registered")
    neither = api.post("/api/import/", {"tg_user_id": alice.pk}, format="json")
    assert neither.status_code == 400 and "file" in neither.json()["errors"]


def test_urls_are_checked_for_ssrf_and_an_allowed_one_imports(api, alice, server):  # noqa: F811
    url = f"http://127.0.0.1:{server.server_port}/cal.ics"
    body = {"tg_user_id": alice.pk, "url": url, "confirm": True}
    refused = api.post("/api/import/", body, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "import_url_scheme")
    with override_settings(ICS_IMPORT_ALLOW_HTTP=True):
        refused = api.post("/api/import/", body, format="json")
        assert (refused.status_code, refused.json()["code"]) == (400, "import_url_private")
        assert server.seen == []
        with override_settings(ICS_IMPORT_LOOPBACK_PORTS=(server.server_port,)):
            done = api.post("/api/import/", body, format="json")
            assert (done.status_code, done.json()["new"]) == (200, 5)
            hop = body | {"url": f"http://127.0.0.1:{server.server_port}/to-metadata"}
            refused = api.post("/api/import/", hop, format="json")
            assert refused.json()["code"] == "import_url_private"


def test_the_endpoint_is_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/import/"]["post"]
    assert {"200", "400", "401", "403"} <= set(operation["responses"])
    assert set(operation["requestBody"]["content"]) == {"multipart/form-data", "application/json"}
