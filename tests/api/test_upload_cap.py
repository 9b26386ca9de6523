"""Finding 6: a multipart upload past UPLOAD_MAX_BYTES answers 413 without being read in
full — not at all when Content-Length already says so, and no further than the limit (plus
one read chunk) when it does not. Measured on the request stream the server reads from."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import (
    BOUNDARY,
    MULTIPART_CONTENT,
    ClientHandler,
    RequestFactory,
    encode_multipart,
)
from django.urls import reverse

from inviteflow.accounts.services import create_api_key
from inviteflow.creators.models import Creator, CsvImport
from tests.creators.factories import csv_bytes, many_rows

CHUNK = 64 * 1024  # what Django's multipart parser reads at a time


def multipart(content: bytes, **fields) -> bytes:
    upload = SimpleUploadedFile("creators.csv", content, content_type="text/csv")
    return encode_multipart(BOUNDARY, {"file": upload, **fields})


def big_csv(size: int) -> bytes:
    rows = many_rows(size // 40 + 1)
    return rows[:size]


def post_over_wsgi(path: str, body: bytes, **headers: str) -> tuple[int, bytes, int]:
    """Status, content and how many bytes of the body the application read."""
    stream = io.BytesIO(body)
    environ = RequestFactory()._base_environ(
        PATH_INFO=path,
        REQUEST_METHOD="POST",
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": stream},
        **headers,
    )
    response = ClientHandler()(environ)  # the whole Django stack, as the test client runs it
    return response.status_code, response.content, stream.tell()


@pytest.fixture
def key(workspace) -> str:
    return create_api_key(workspace, "uploads")[1]


def nothing_imported() -> bool:
    return not Creator.objects.exists() and not CsvImport.objects.exists()


def test_an_upload_declared_larger_than_the_cap_is_not_read_at_all(key, settings):
    body = multipart(big_csv(8 * 1024 * 1024))
    status, content, consumed = post_over_wsgi(
        "/api/v1/creators/import", body, HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert status == 413
    assert b'"code": "too_large"' in content and b"UPLOAD_MAX_BYTES" in content
    assert consumed == 0
    assert nothing_imported()


def test_reading_stops_at_the_cap_when_the_length_does_not_tell(key, settings):
    settings.UPLOAD_MAX_BYTES = 50_000  # the 64 kB form allowance lets a 110 kB body start
    body = multipart(big_csv(110_000))
    status, content, consumed = post_over_wsgi(
        "/api/v1/creators/import", body, HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert status == 413
    assert consumed <= settings.UPLOAD_MAX_BYTES + CHUNK
    assert len(body) - consumed > 40_000, (consumed, len(body))
    assert nothing_imported()


def test_the_csv_import_page_answers_413_too(manager_client, settings):
    settings.UPLOAD_MAX_BYTES = 100_000
    upload = SimpleUploadedFile("creators.csv", big_csv(300_000), content_type="text/csv")
    response = manager_client.post(
        reverse("creator_import_upload", args=["acme"]), {"file": upload}
    )
    assert response.status_code == 413
    assert "larger than 100,000 bytes" in response.content.decode()
    assert nothing_imported()


def test_an_upload_within_the_cap_is_imported_as_before(api):
    upload = SimpleUploadedFile("c.csv", csv_bytes("Ada,ada@x.io,ada,"), content_type="text/csv")
    response = api.client.post("/api/v1/creators/import", {"file": upload}, headers=api.headers)
    assert response.status_code == 200
    assert response.json()["valid"] == 1
