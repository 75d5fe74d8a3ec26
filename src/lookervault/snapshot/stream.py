"""A gzip stream of a file, compressed in a background thread and read by the upload.

The resumable upload reads it chunk by chunk and, after a failed request, seeks back to the
last byte the server confirmed, which is never before the start of the chunk it last read; so
only the bytes of the last read are kept (the very object handed to the upload, not a copy).
The compressor works up to one chunk in front of the reader, so the next chunk is being
compressed while the last one is sent. Memory stays bounded whatever the file size: about
three chunks (the one being sent, the one the upload still holds from its last request, and
the one being compressed).

The file must still be the one hashed before the upload began: its raw bytes are checked
against that digest before the last compressed bytes (the gzip trailer) are handed out. A
file that changed makes the read fail instead, so the upload never sends its final request
and nothing is committed (the backup job may not delete what it created).
"""

from __future__ import annotations

import collections
import io
import threading
from collections.abc import Callable
from pathlib import Path

from lookervault.errors import IntegrityError
from lookervault.snapshot.compression import compressor
from lookervault.snapshot.integrity import Digest, Hasher

_READ_SIZE = 1024 * 1024
_DONE = b""

Progress = Callable[[int], None]


def _changed() -> IntegrityError:
    return IntegrityError(
        "The database changed while it was being compressed; the upload was stopped before "
        "its final request, so no snapshot was created.",
        "Retry the upload.",
    )


class _Pipe:
    """Pieces handed from the compressor to the reader, at most `limit` bytes waiting."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._items: collections.deque[bytes | BaseException] = collections.deque()
        self._waiting = 0
        self._closed = False
        self._changed = threading.Condition()

    def put(self, item: bytes | BaseException) -> bool:
        """Wait for room; False once the reader has gone."""
        with self._changed:
            while self._waiting >= self._limit and not self._closed:
                self._changed.wait()
            if self._closed:
                return False
            self._items.append(item)
            self._waiting += len(item) if isinstance(item, bytes) else 0
            self._changed.notify_all()
            return True

    def get(self) -> bytes | BaseException:
        with self._changed:
            while not self._items:
                self._changed.wait()
            item = self._items.popleft()
            self._waiting -= len(item) if isinstance(item, bytes) else 0
            self._changed.notify_all()
            return item

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._items.clear()
            self._changed.notify_all()


def _presized(size: int) -> io.BytesIO:
    """A BytesIO with room for `size` bytes, to be written from the start and truncated at the
    end. One allocation per chunk, where a growing BytesIO makes dozens: those fragment the
    heap, and peak RSS crept up with every chunk (157 MB instead of 129 MB for 1 GiB)."""
    buffer = io.BytesIO()
    buffer.seek(size - 1)
    buffer.write(b"\0")
    buffer.seek(0)
    return buffer


class CompressedStream(io.RawIOBase):
    """Readable, tellable, and seekable back within the chunk last read."""

    def __init__(
        self,
        source: Path,
        level: int,
        expected: Digest,
        chunk_size: int,
        progress: Progress | None = None,
    ) -> None:
        super().__init__()
        self.raw = Hasher(with_sha256=False)
        self.compressed = Hasher(with_sha256=False)
        self._source = source
        self._level = level
        self._expected = expected
        self._progress = progress
        self._chunk_size = chunk_size
        self._pipe = _Pipe(chunk_size)
        self._pending: collections.deque[bytes] = collections.deque()
        self._last = b""
        self._last_start = 0
        self._position = 0
        self._exhausted = False
        # Started by the first read: the file is read only once the upload session exists.
        self._thread = threading.Thread(target=self._produce, name="gzip-producer", daemon=True)

    def _produce(self) -> None:
        try:
            deflate = compressor(self._level)
            with self._source.open("rb") as handle:
                while chunk := handle.read(_READ_SIZE):
                    self.raw.update(chunk)
                    if self.raw.size > self._expected.size:
                        raise _changed()
                    out = deflate.compress(chunk)
                    if out and not self._emit(out):
                        return
                    if self._progress:
                        self._progress(len(chunk))
            if (self.raw.size, self.raw.crc32c) != (self._expected.size, self._expected.crc32c):
                raise _changed()
            if self._emit(deflate.flush()):
                self._pipe.put(_DONE)
        except BaseException as exc:  # handed to the reader, which raises it
            self._pipe.put(exc)

    def _emit(self, data: bytes) -> bool:
        self.compressed.update(data)
        return self._pipe.put(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self._position
        elif whence != io.SEEK_SET:
            raise io.UnsupportedOperation("CompressedStream cannot seek from the end")
        if not self._last_start <= offset <= self._last_start + len(self._last):
            raise io.UnsupportedOperation(f"cannot seek to {offset}: outside the last chunk read")
        self._position = offset
        return offset

    def _next_piece(self) -> bytes:
        if self._pending:
            return self._pending.popleft()
        if self._exhausted:
            return _DONE
        if self._thread.ident is None:
            self._thread.start()
        item = self._pipe.get()
        if isinstance(item, BaseException):
            raise item
        self._exhausted = item == _DONE
        return item

    def read(self, size: int = -1) -> bytes:
        """Re-read what the last read returned (after a seek back), then continue.

        The pieces are gathered in a BytesIO, whose value is handed out without a copy.
        """
        limit = (1 << 62) if size is None or size < 0 else size
        last_end = self._last_start + len(self._last)
        if self._position == last_end:  # the last chunk was confirmed: no seek back into it
            self._last, self._last_start = b"", self._position
        gathered = _presized(min(limit, self._chunk_size)) if limit > 0 else io.BytesIO()
        gathered.write(memoryview(self._last)[self._position - self._last_start :][:limit])
        wanted = limit - gathered.tell()
        while wanted > 0:
            piece = self._next_piece()
            if not piece:
                break
            if len(piece) > wanted:
                self._pending.appendleft(piece[wanted:])
                piece = piece[:wanted]
            gathered.write(piece)
            wanted -= len(piece)
        gathered.truncate()
        data = gathered.getvalue()
        if self._position + len(data) > last_end:
            self._last_start, self._last = self._position, data
        self._position += len(data)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._pipe.close()
        super().close()
        if self._thread.ident is not None:
            self._thread.join(timeout=5)
