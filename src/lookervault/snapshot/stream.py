"""A gzip stream of a file, produced in a background thread and read by the upload.

The resumable upload reads it chunk by chunk and, after a failed request, seeks back to the
last byte the server confirmed, which is never before the start of the chunk it last read; so
only the bytes of the last read are kept (the very object handed to the upload, not a copy).
Memory stays bounded whatever the file size.
"""

from __future__ import annotations

import collections
import io
import queue
import threading
from collections.abc import Callable
from pathlib import Path

from lookervault.snapshot.compression import compressor
from lookervault.snapshot.integrity import Hasher

_QUEUE_DEPTH = 16
_READ_SIZE = 1024 * 1024
_DONE = b""

Progress = Callable[[int], None]


class CompressedStream(io.RawIOBase):
    """Readable, tellable, and seekable back within the chunk last read."""

    def __init__(self, source: Path, level: int, progress: Progress | None = None) -> None:
        super().__init__()
        self.raw = Hasher(with_sha256=False)
        self.compressed = Hasher(with_sha256=False)
        self._source = source
        self._level = level
        self._progress = progress
        self._queue: queue.Queue[bytes | BaseException] = queue.Queue(_QUEUE_DEPTH)
        self._stop = threading.Event()
        self._pending: collections.deque[bytes] = collections.deque()
        self._last = b""
        self._last_start = 0
        self._position = 0
        self._exhausted = False
        self._thread = threading.Thread(target=self._produce, name="gzip-producer", daemon=True)
        self._thread.start()

    def _put(self, item: bytes | BaseException) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self) -> None:
        try:
            deflate = compressor(self._level)
            with self._source.open("rb") as handle:
                while chunk := handle.read(_READ_SIZE):
                    self.raw.update(chunk)
                    out = deflate.compress(chunk)
                    if out and not self._emit(out):
                        return
                    if self._progress:
                        self._progress(len(chunk))
            self._emit(deflate.flush())
            self._put(_DONE)
        except BaseException as exc:  # handed to the reader, which raises it
            self._put(exc)

    def _emit(self, data: bytes) -> bool:
        self.compressed.update(data)
        return self._put(data)

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
        item = self._queue.get()
        if isinstance(item, BaseException):
            raise item
        self._exhausted = item == _DONE
        return item

    def read(self, size: int = -1) -> bytes:
        """Re-read what the last read returned (after a seek back), then continue."""
        limit = (1 << 62) if size is None or size < 0 else size
        last_end = self._last_start + len(self._last)
        if self._position == last_end:  # the last chunk was confirmed: no seek back into it
            self._last, self._last_start = b"", self._position
        parts = [memoryview(self._last)[self._position - self._last_start :][:limit]]
        wanted = limit - len(parts[0])
        while wanted > 0:
            piece = self._next_piece()
            if not piece:
                break
            if len(piece) > wanted:
                self._pending.appendleft(piece[wanted:])
                piece = piece[:wanted]
            parts.append(memoryview(piece))
            wanted -= len(piece)
        data = b"".join(parts)
        if self._position + len(data) > last_end:
            self._last_start, self._last = self._position, data
        self._position += len(data)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._stop.set()
        super().close()
        self._thread.join(timeout=5)
