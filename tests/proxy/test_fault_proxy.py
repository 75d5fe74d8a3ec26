"""The fault proxy against the real emulator and the real google-cloud-storage client."""

from __future__ import annotations

import base64
import http.client
import io
import os
import socket
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import google_crc32c
import pytest
import requests
from google.api_core.exceptions import PreconditionFailed, ServiceUnavailable
from google.cloud import storage
from google.cloud.storage.exceptions import DataCorruption
from google.cloud.storage.retry import DEFAULT_RETRY

from tests.support.fault_proxy import CHUNK, FaultProxy, Match, _cut, _flip
from tests.support.gcs_emulator import Emulator

LIST_OBJECTS = r"^/storage/v1/b/[^/]+/o$"
RESUMABLE_CHUNK = 256 * 1024
# The client's own retry policy, with short pauses so fault tests stay fast.
FAST_RETRY = DEFAULT_RETRY.with_delay(initial=0.01, maximum=0.1)


def crc32c_b64(data: bytes) -> str:
    return base64.b64encode(google_crc32c.Checksum(data).digest()).decode()


def resumable_upload(bucket: storage.Bucket, name: str, data: bytes, **kwargs: object) -> None:
    """No size given, so the client uses a resumable session, as LookerVault's streaming does."""
    blob = bucket.blob(name, chunk_size=RESUMABLE_CHUNK)
    blob.upload_from_file(io.BytesIO(data), if_generation_match=0, retry=FAST_RETRY, **kwargs)


# Pure stream helpers.


def test_flip_inverts_exactly_one_byte_across_piece_boundaries() -> None:
    pieces = [b"abc", b"def", b"g"]
    for at in range(7):
        flipped = b"".join(_flip(pieces, at))
        expected = bytearray(b"abcdefg")
        expected[at] ^= 0xFF
        assert flipped == bytes(expected)
    assert b"".join(_flip(pieces, 7)) == b"abcdefg"


def test_cut_passes_exactly_the_first_bytes() -> None:
    pieces = [b"abc", b"def"]
    assert [b"".join(_cut(pieces, at)) for at in range(8)] == [
        b"",
        b"a",
        b"ab",
        b"abc",
        b"abcd",
        b"abcde",
        b"abcdef",
        b"abcdef",
    ]


def test_match_on_method_path_and_query() -> None:
    assert Match("get", LIST_OBJECTS)("GET", "/storage/v1/b/x/o", {})
    assert not Match("POST", LIST_OBJECTS)("GET", "/storage/v1/b/x/o", {})
    assert not Match(path_regex=LIST_OBJECTS)("GET", "/storage/v1/b/x/o/name", {})
    assert Match(query="upload_id")("PUT", "/upload", {"upload_id": "1"})
    assert not Match(query="upload_id")("PUT", "/upload", {"name": "1"})
    assert Match(query="alt=media")("GET", "/download", {"alt": "media"})
    assert not Match(query="alt=media")("GET", "/download", {"alt": "json"})


# Forwarding and recording.


def test_counts_list_requests(fault_proxy: FaultProxy, proxied_bucket: storage.Bucket) -> None:
    for index in range(5):
        proxied_bucket.blob(f"item-{index}").upload_from_string(b"x", if_generation_match=0)
    fault_proxy.reset()

    names = [blob.name for blob in proxied_bucket.list_blobs(page_size=2)]

    assert names == [f"item-{index}" for index in range(5)]
    assert fault_proxy.count(method="GET", path_regex=LIST_OBJECTS) == 3
    assert fault_proxy.count(method="GET", path_regex=LIST_OBJECTS, query="pageToken") == 2
    assert fault_proxy.count(method="POST") == 0


def test_resumable_upload_sends_every_chunk_through_the_proxy(
    fault_proxy: FaultProxy, proxied_bucket: storage.Bucket
) -> None:
    data = os.urandom(4 * RESUMABLE_CHUNK + 1000)

    resumable_upload(proxied_bucket, "big", data, checksum="crc32c")

    assert fault_proxy.count(method="POST", query="uploadType=resumable") == 1
    chunks = fault_proxy.matching(method="PUT", query="upload_id")
    assert [r.headers["content-range"] for r in chunks] == [
        f"bytes {start}-{start + RESUMABLE_CHUNK - 1}/*"
        for start in range(0, 4 * RESUMABLE_CHUNK, RESUMABLE_CHUNK)
    ] + [f"bytes {4 * RESUMABLE_CHUNK}-{len(data) - 1}/{len(data)}"]
    assert [r.status for r in chunks] == [308, 308, 308, 308, 200]
    assert sum(r.request_bytes for r in chunks) == len(data)
    assert "x-goog-hash" not in chunks[0].headers
    assert chunks[-1].headers["x-goog-hash"] == f"crc32c={crc32c_b64(data)}"
    assert proxied_bucket.blob("big").download_as_bytes() == data


def test_location_of_a_resumable_session_is_rewritten(
    fault_proxy: FaultProxy, gcs_emulator: Emulator, proxied_bucket: storage.Bucket
) -> None:
    path = f"/upload/storage/v1/b/{proxied_bucket.name}/o?uploadType=resumable&name=loc"

    direct = requests.post(f"{gcs_emulator.url}{path}", json={}, timeout=10)
    proxied = requests.post(f"{fault_proxy.url}{path}", json={}, timeout=10)

    assert direct.headers["Location"].startswith(f"{gcs_emulator.url}/upload/")
    assert proxied.headers["Location"].startswith(f"{fault_proxy.url}/upload/")
    assert proxied.headers["Location"].removeprefix(fault_proxy.url).startswith("/upload/")


def test_json_links_point_at_the_proxy_and_media_is_untouched(
    fault_proxy: FaultProxy, proxied_bucket: storage.Bucket
) -> None:
    payload = b'{"mediaLink": "http://example.invalid/x", "selfLink": "http://example.invalid/y"}'
    proxied_bucket.blob("doc.json").upload_from_string(
        payload, content_type="application/json", if_generation_match=0
    )
    fault_proxy.reset()

    blob = proxied_bucket.get_blob("doc.json")
    assert blob is not None
    assert blob.media_link.startswith(f"{fault_proxy.url}/")
    assert blob._properties["selfLink"].startswith(f"{fault_proxy.url}/")
    assert blob.download_as_bytes() == payload
    assert fault_proxy.count(method="GET", query="alt=media") == 1


def test_chunked_request_body_and_keep_alive(
    fault_proxy: FaultProxy, proxied_bucket: storage.Bucket
) -> None:
    pieces = [b"first-", os.urandom(CHUNK + 17), b"-last"]
    connection = http.client.HTTPConnection("127.0.0.1", int(fault_proxy.url.rsplit(":", 1)[1]))
    try:
        connection.request(
            "POST",
            f"/upload/storage/v1/b/{proxied_bucket.name}/o?uploadType=media&name=chunked",
            body=iter(pieces),
            encode_chunked=True,
        )
        created = connection.getresponse()
        created.read()
        connection.request(
            "GET", f"/download/storage/v1/b/{proxied_bucket.name}/o/chunked?alt=media"
        )
        downloaded = connection.getresponse()
        body = downloaded.read()
    finally:
        connection.close()

    assert created.status == 200
    assert downloaded.status == 200
    assert body == b"".join(pieces)
    upload, download = fault_proxy.records
    assert upload.headers["transfer-encoding"] == "chunked"
    assert upload.request_bytes == len(body)
    assert upload.client_port == download.client_port


# Faults.


def test_503_on_an_upload_chunk_is_retried_and_the_object_is_intact(
    fault_proxy: FaultProxy, proxied_bucket: storage.Bucket
) -> None:
    data = os.urandom(2 * RESUMABLE_CHUNK + 10)
    fault = fault_proxy.fail(503, method="PUT", query="upload_id")

    resumable_upload(proxied_bucket, "retried", data, checksum="crc32c")

    assert fault.remaining == 0
    chunks = fault_proxy.matching(method="PUT", query="upload_id")
    assert [r.status for r in chunks] == [503, 308, 308, 200]
    assert chunks[0].headers["content-range"] == chunks[1].headers["content-range"]
    blob = proxied_bucket.get_blob("retried")
    assert blob is not None
    assert blob.crc32c == crc32c_b64(data)
    assert blob.download_as_bytes() == data


def test_an_injected_status_is_not_forwarded(
    fault_proxy: FaultProxy, proxied_bucket: storage.Bucket
) -> None:
    fault_proxy.fail(503, method="POST", path_regex=r"^/upload/")

    with pytest.raises(ServiceUnavailable):
        proxied_bucket.blob("never").upload_from_string(b"data", if_generation_match=0, retry=None)

    assert proxied_bucket.get_blob("never") is None
    assert fault_proxy.records[0].request_bytes > len(b"data")


def test_a_reset_mid_upload_body_is_retried(
    fault_proxy: FaultProxy, proxied_bucket: storage.Bucket
) -> None:
    data = os.urandom(2 * RESUMABLE_CHUNK + 10)
    fault = fault_proxy.reset_connection(method="PUT", query="upload_id", offset=1000)

    resumable_upload(proxied_bucket, "reset-up", data, checksum="crc32c")

    assert fault.remaining == 0
    cut, *rest = fault_proxy.matching(method="PUT", query="upload_id")
    assert (cut.fault, cut.status, cut.request_bytes) == ("reset", None, 1000)
    assert rest[0].headers["content-range"] == cut.headers["content-range"]
    assert [r.status for r in rest] == [308, 308, 200]
    assert proxied_bucket.blob("reset-up").download_as_bytes() == data


def test_a_reset_mid_download_is_resumed_with_a_range_request(
    fault_proxy: FaultProxy, proxied_bucket: storage.Bucket
) -> None:
    data = os.urandom(3 * CHUNK)
    proxied_bucket.blob("reset-down").upload_from_string(data, if_generation_match=0)
    fault = fault_proxy.reset_connection(method="GET", query="alt=media")

    downloaded = proxied_bucket.blob("reset-down").download_as_bytes(
        checksum="crc32c", retry=FAST_RETRY
    )
    assert downloaded == data

    assert fault.remaining == 0
    cut, resumed = fault_proxy.matching(method="GET", query="alt=media")
    assert (cut.fault, cut.status, cut.response_bytes) == ("reset", 200, len(data) // 2)
    start = int(resumed.headers["range"].removeprefix("bytes=").removesuffix("-"))
    assert 0 < start <= len(data) // 2
    assert resumed.status == 206


@pytest.mark.parametrize("raw_download", [False, True])
def test_a_flipped_download_byte_is_detected_by_the_client(
    fault_proxy: FaultProxy, proxied_bucket: storage.Bucket, raw_download: bool
) -> None:
    data = os.urandom(CHUNK + 5)
    proxied_bucket.blob("flip-down").upload_from_string(data, if_generation_match=0)
    fault = fault_proxy.flip_byte(method="GET", query="alt=media")

    with pytest.raises(DataCorruption):
        proxied_bucket.blob("flip-down").download_as_bytes(
            checksum="crc32c", raw_download=raw_download
        )

    assert fault.remaining == 0
    assert proxied_bucket.blob("flip-down").download_as_bytes(checksum="crc32c") == data


def test_a_flipped_upload_byte_changes_exactly_that_byte(
    fault_proxy: FaultProxy, proxied_bucket: storage.Bucket
) -> None:
    data = os.urandom(RESUMABLE_CHUNK + 100)
    fault_proxy.flip_byte(method="PUT", query="upload_id", offset=10)

    resumable_upload(proxied_bucket, "flip-up", data, checksum=None)

    stored = proxied_bucket.blob("flip-up").download_as_bytes()
    expected = bytearray(data)
    expected[10] ^= 0xFF
    assert stored == bytes(expected)


def test_a_flipped_upload_byte_is_caught_by_the_final_crc32c(
    fault_proxy: FaultProxy, proxied_bucket: storage.Bucket
) -> None:
    """fake-gcs-server ignores X-Goog-Hash (a known gap) and commits the object; the client
    compares the committed CRC32C with its own and deletes the object itself."""
    data = os.urandom(2 * RESUMABLE_CHUNK + 7)
    fault_proxy.flip_byte(method="PUT", query="upload_id")

    with pytest.raises(DataCorruption):
        resumable_upload(proxied_bucket, "flip-caught", data, checksum="crc32c")

    final = fault_proxy.matching(method="PUT", query="upload_id")[-1]
    assert final.headers["x-goog-hash"] == f"crc32c={crc32c_b64(data)}"
    assert fault_proxy.count(method="DELETE") == 1
    assert proxied_bucket.get_blob("flip-caught") is None


def test_faults_apply_to_the_next_n_matching_requests_only(
    fault_proxy: FaultProxy, proxied_bucket: storage.Bucket
) -> None:
    fault = fault_proxy.fail(503, times=2, method="GET", path_regex=LIST_OBJECTS)

    assert list(proxied_bucket.list_blobs(retry=FAST_RETRY)) == []
    assert list(proxied_bucket.list_blobs(retry=FAST_RETRY)) == []

    assert fault.remaining == 0
    assert [r.status for r in fault_proxy.records] == [503, 503, 200, 200]


def test_reset_clears_faults_and_records(
    fault_proxy: FaultProxy, proxied_bucket: storage.Bucket
) -> None:
    fault_proxy.fail(503, method="GET")
    fault_proxy.reset()

    proxied_bucket.reload(retry=None)

    assert [(r.method, r.status, r.fault) for r in fault_proxy.records] == [("GET", 200, None)]
    fault_proxy.reset()
    assert fault_proxy.records == []


def test_concurrent_create_only_uploads_to_one_name_commit_exactly_one(
    fault_proxy: FaultProxy, proxied_bucket: storage.Bucket
) -> None:
    """fake-gcs-server checks ifGenerationMatch=0 and writes without a lock between the two, so
    four uploads racing to one name could all succeed; the proxy commits them one at a time,
    as real Cloud Storage does. The four data requests are held until all have arrived."""
    held = fault_proxy.hold(method="PUT", query="upload_id", times=4)
    outcomes: list[str] = []

    def upload(number: int) -> None:
        client = storage.Client(project="test-project")
        try:
            resumable_upload(client.bucket(proxied_bucket.name), "race", b"%d" % number * 1000)
            outcomes.append("created")
        except PreconditionFailed:
            outcomes.append("412")

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(4):
            assert held.arrivals.acquire(timeout=30), "an upload never reached the proxy"
    finally:
        held.released.set()
        for thread in threads:
            thread.join(timeout=60)
    assert sorted(outcomes) == ["412", "412", "412", "created"]
    assert [b.name for b in proxied_bucket.list_blobs()] == ["race"]


# The fixture and the lifecycle.


def test_fixture_points_clients_at_the_proxy_whatever_the_fixture_order(
    fault_proxy: FaultProxy, bucket: storage.Bucket
) -> None:
    assert os.environ["STORAGE_EMULATOR_HOST"] == fault_proxy.url
    assert os.environ["GOOGLE_CLOUD_PROJECT"] == "test-project"
    storage.Client().bucket(bucket.name).reload()
    assert fault_proxy.count(method="GET", path_regex=rf"^/storage/v1/b/{bucket.name}$") == 1


def test_stop_joins_every_thread_and_closes_every_socket(gcs_emulator: Emulator) -> None:
    before = set(threading.enumerate())
    proxy = FaultProxy(gcs_emulator.url).start()
    port = int(proxy.url.rsplit(":", 1)[1])
    idle = http.client.HTTPConnection("127.0.0.1", port)
    idle.request("GET", "/storage/v1/b?project=test-project")
    assert idle.getresponse().read()
    assert set(threading.enumerate()) > before

    proxy.stop()

    assert set(threading.enumerate()) <= before
    assert idle.sock is not None
    assert idle.sock.recv(1) == b""
    idle.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
    with pytest.raises(RuntimeError):
        _ = proxy.url


@pytest.mark.slow
def test_large_bodies_stream_in_bounded_memory(
    fault_proxy: FaultProxy, proxied_bucket: storage.Bucket, tmp_path: Path
) -> None:
    """64 MiB each way through the proxy while Python allocates far less than one body."""
    size = 64 * CHUNK
    seed = os.urandom(CHUNK)

    def body() -> Iterator[bytes]:
        for _ in range(size // CHUNK):
            yield seed

    port = int(fault_proxy.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    tracemalloc.start()
    try:
        connection.request(
            "POST",
            f"/upload/storage/v1/b/{proxied_bucket.name}/o?uploadType=media&name=large",
            body=body(),
            encode_chunked=True,
        )
        assert connection.getresponse().read()
        proxied_bucket.blob("large").download_to_filename(tmp_path / "large", checksum="crc32c")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        connection.close()

    assert (tmp_path / "large").stat().st_size == size
    assert sum(r.request_bytes for r in fault_proxy.records) == size
    assert fault_proxy.matching(query="alt=media")[0].response_bytes == size
    assert peak < size // 4
