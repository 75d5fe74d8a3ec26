import gzip
import hashlib
import io
import random
from pathlib import Path

import pytest

from lookervault.errors import IntegrityError
from lookervault.snapshot.integrity import digest_file
from lookervault.snapshot.stream import CompressedStream

CHUNK = 256 * 1024


def stream_of(source: Path, level: int = 6) -> CompressedStream:
    return CompressedStream(source, level, digest_file(source), CHUNK)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    rng = random.Random(7)
    path = tmp_path / "data.bin"
    words = [bytes(rng.choice(b"abcdefgh") for _ in range(8)) for _ in range(500)]
    path.write_bytes(b" ".join(rng.choice(words) for _ in range(600_000)))
    return path


def test_output_is_standard_gzip_with_matching_checksums(source: Path) -> None:
    with stream_of(source) as stream:
        data = stream.read()
    assert gzip.decompress(data) == source.read_bytes()
    assert stream.raw.crc32c == digest_file(source).crc32c
    assert stream.compressed.size == len(data)


def test_seeking_back_into_the_last_chunk_rereads_the_same_bytes(source: Path) -> None:
    """What a resumable upload does after a failed request."""
    rng = random.Random(1)
    assembled = bytearray()
    with stream_of(source, 1) as stream:
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
    with stream_of(source) as stream:
        stream.read(1000)
        stream.read(1000)
        with pytest.raises(io.UnsupportedOperation):
            stream.seek(500)


def test_a_read_error_reaches_the_reader(source: Path) -> None:
    stream = stream_of(source)
    source.unlink()
    with pytest.raises(FileNotFoundError), stream:
        stream.read(10)


def test_nothing_is_read_before_the_first_read(source: Path) -> None:
    """The upload session starts first; the file is read from then on."""
    with stream_of(source) as stream:
        assert stream.raw.size == 0
        stream.read(10)
        assert stream.raw.size > 0


@pytest.mark.parametrize("change", ["a byte", "appended bytes", "truncated"])
def test_a_file_changed_after_hashing_fails_before_the_gzip_trailer(
    source: Path, change: str
) -> None:
    """An upload sends its final request only after a short read: the error must come first,
    and every byte handed out before it must be short of a whole gzip stream."""
    stream = stream_of(source)
    with source.open("r+b") as handle:
        if change == "a byte":
            handle.seek(-10, 2)
            handle.write(b"!")
        elif change == "appended bytes":
            handle.seek(0, 2)
            handle.write(b"more")
        else:
            handle.truncate(source.stat().st_size - 1)
    handed_out = bytearray()
    with pytest.raises(IntegrityError, match="changed while it was being compressed"), stream:
        while chunk := stream.read(64 * 1024):
            assert len(chunk) == 64 * 1024, "a short read: the upload would have finished"
            handed_out += chunk
    with pytest.raises(EOFError):
        gzip.decompress(bytes(handed_out))
