"""A large file uploaded through the API: spooled to disk and imported in bounded batches, so the
server's memory does not grow with the file."""

from __future__ import annotations

import gc
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from tests.factories import flow_file
from tests.functional.api_helpers import API, IMPORT, body, token_client

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def peak_of_upload(client: Client, *, readings: int, identifier: str) -> tuple[int, int]:
    """The peak of memory allocated while the API takes and imports a file of ``readings``
    readings (9 registers a meter), and the upload's size."""
    content = flow_file(readings=readings, registers_per_meter=9, file_identifier=identifier)
    payload = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("large.uff", content)})
    gc.collect()  # what earlier tests left is not counted
    tracemalloc.start()
    try:
        response = client.generic("POST", f"{API}flow-files/", payload, MULTIPART_CONTENT)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert response.status_code == 201, response.content[:500]
    assert body(response)["counts"]["readings"] == readings
    return peak, len(payload)


def test_a_large_upload_is_imported_in_memory_that_does_not_grow_with_the_file() -> None:
    importer = token_client("importer", *IMPORT)

    small_peak, _ = peak_of_upload(importer, readings=26_000, identifier="SMALL00001")
    large_peak, large_size = peak_of_upload(importer, readings=260_000, identifier="LARGE00001")

    assert large_size > 10 << 20
    # Spooled to a temporary file and imported in batches: ten times the file, much the same
    # memory (the batches', a few thousand readings each): about 18 MB measured for either.
    assert large_peak < small_peak * 2, (small_peak, large_peak)
    assert large_peak < 24 << 20, f"{large_peak:,} bytes for {large_size:,}"
