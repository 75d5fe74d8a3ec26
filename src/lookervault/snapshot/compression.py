"""Streaming gzip with ISA-L: a fast deflate engine whose output is a standard gzip stream."""

from __future__ import annotations

from isal import isal_zlib

GZIP_WBITS = 31
ENGINE = "isal"
# gzip levels 1-9 onto ISA-L's 0-3, fastest to smallest; 6 (gzip's default) is ISA-L's default.
_ENGINE_LEVELS = (0, 0, 0, 0, 1, 1, 2, 2, 3, 3)


def engine_level(level: int) -> int:
    return _ENGINE_LEVELS[level]


def compressor(level: int) -> isal_zlib.Compress:
    return isal_zlib.compressobj(engine_level(level), isal_zlib.DEFLATED, GZIP_WBITS)


def decompressor() -> isal_zlib.Decompress:
    return isal_zlib.decompressobj(GZIP_WBITS)
