"""Streaming gzip: ISA-L for speed, zlib for size; either way a standard gzip stream.

gzip levels 1-6 use ISA-L (a fast deflate engine: 6, the default, compresses a Looker
database more than ten times faster than `gzip -6`, to objects about a quarter larger);
levels 7-9 use zlib at that level, the smallest objects, at gzip's own speed
(bench/RESULTS.md).
"""

from __future__ import annotations

import zlib
from typing import Protocol

from isal import isal_zlib

GZIP_WBITS = 31
# gzip levels 1-6 onto ISA-L's 0-2, fastest to smallest.
_ISAL_LEVELS = {1: 0, 2: 0, 3: 0, 4: 1, 5: 1, 6: 2}


class Compressor(Protocol):
    def compress(self, data: bytes, /) -> bytes: ...

    def flush(self) -> bytes: ...


def engine(level: int) -> str:
    """What compresses at this gzip level, as recorded in a snapshot's metadata."""
    return f"isal:{_ISAL_LEVELS[level]}" if level in _ISAL_LEVELS else f"zlib:{level}"


def compressor(level: int) -> Compressor:
    if level in _ISAL_LEVELS:
        return isal_zlib.compressobj(_ISAL_LEVELS[level], isal_zlib.DEFLATED, GZIP_WBITS)
    return zlib.compressobj(level, zlib.DEFLATED, GZIP_WBITS)


def decompressor() -> isal_zlib.Decompress:
    return isal_zlib.decompressobj(GZIP_WBITS)
