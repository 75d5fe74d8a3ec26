"""A gzip stream of a file, produced in a background thread and read by the upload.

The resumable upload reads it chunk by chunk and, after a failed request, seeks back to the
last byte the server confirmed, which is never before the start of the chunk it last read; so
only the current chunk is kept. Memory stays bounded whatever the file size.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Callable
from pathlib import Path

from lookervault.compression import compressor
from lookervault.integrity import CHUNK_SIZE, Hasher

_QUEUE_DEPTH = 8
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
        self._window = bytearray()
        self._window_start = 0
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
                while chunk := handle.read(CHUNK_SIZE):
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
        if offset < self._window_start or offset > self._window_start + len(self._window):
            raise io.UnsupportedOperation(f"cannot seek to {offset}: outside the retained chunk")
        self._position = offset
        return offset

    def _fill(self, until: int) -> None:
        while not self._exhausted and self._window_start + len(self._window) < until:
            item = self._queue.get()
            if isinstance(item, BaseException):
                raise item
            if item == _DONE:
                self._exhausted = True
            else:
                self._window += item

    def read(self, size: int = -1) -> bytes:
        # Everything before the current position has been confirmed or will be re-read from here.
        drop = self._position - self._window_start
        if drop > 0:
            del self._window[:drop]
            self._window_start = self._position
        if size is None or size < 0:
            self._fill(1 << 62)
            size = len(self._window)
        else:
            self._fill(self._position + size)
        data = bytes(self._window[:size])
        self._position += len(data)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    @property
    def finished(self) -> bool:
        return self._exhausted and self._position == self._window_start + len(self._window)

    def close(self) -> None:
        self._stop.set()
        super().close()
        self._thread.join(timeout=5)
