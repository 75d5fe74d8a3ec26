import gzip
import hashlib
import io
import random
from pathlib import Path

import pytest

from lookervault.snapshot.integrity import digest_file
from lookervault.snapshot.stream import CompressedStream


@pytest.fixture
def source(tmp_path: Path) -> Path:
    rng = random.Random(7)
    path = tmp_path / "data.bin"
    words = [bytes(rng.choice(b"abcdefgh") for _ in range(8)) for _ in range(500)]
    path.write_bytes(b" ".join(rng.choice(words) for _ in range(600_000)))
    return path


def test_output_is_standard_gzip_with_matching_checksums(source: Path) -> None:
    with CompressedStream(source, 6) as stream:
        data = stream.read()
    assert gzip.decompress(data) == source.read_bytes()
    assert stream.raw.crc32c == digest_file(source).crc32c
    assert stream.compressed.size == len(data)


def test_seeking_back_into_the_last_chunk_rereads_the_same_bytes(source: Path) -> None:
    """What a resumable upload does after a failed request."""
    rng = random.Random(1)
    assembled = bytearray()
    with CompressedStream(source, 1) as stream:
        while True:
            start = stream.tell()
            chunk = stream.read(64 * 1024)
            if not chunk:
                break
            if rng.random() < 0.5:
                confirmed = rng.randint(start, start + len(chunk))
                stream.seek(confirmed)
                chunk = chunk[: confirmed - start] + stream.read(64 * 1024)
            assembled += chunk
    assert (
        hashlib.sha256(gzip.decompress(bytes(assembled))).digest()
        == hashlib.sha256(source.read_bytes()).digest()
    )


def test_seeking_before_the_last_chunk_is_refused(source: Path) -> None:
    with CompressedStream(source, 6) as stream:
        stream.read(1000)
        stream.read(1000)
        with pytest.raises(io.UnsupportedOperation):
            stream.seek(500)


def test_a_read_error_reaches_the_reader(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), CompressedStream(tmp_path / "missing", 6) as stream:
        stream.read(10)
