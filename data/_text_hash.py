"""A 64-bit hash of each text of an Arrow array, vectorized over its UTF-8 bytes.

Hashing ids through Python strings (``pandas.util.hash_pandas_object``) makes an object
per row; this reads the array's byte buffer once: a polynomial over each text's bytes
(wrapping at 2^64), its length mixed in, then SplitMix64's finalizer. Equal texts hash
equal in every array and every process; unequal texts collide about as often as random
64-bit numbers, so a caller that acts on equal hashes compares the texts themselves.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

_BASE = np.uint64(0x100000001B3)
"""Multiplier of the polynomial (the 64-bit FNV prime, odd)."""

_LENGTH = np.uint64(0x9E3779B97F4A7C15)
"""Mixes each text's length into its hash (the golden ratio in 64 bits)."""


def text_hash(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Return a uint64 hash of each text of `values` (a missing text hashes as "")."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    array = values.cast(pa.large_binary())
    count = len(array)
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)
    offsets = offsets[array.offset : array.offset + count + 1] if count else np.zeros(1, np.int64)
    lengths = np.diff(offsets)
    total = int(offsets[-1] - offsets[0])
    body = array.buffers()[2]
    data = np.frombuffer(body, dtype=np.uint8) if body is not None else np.empty(0, np.uint8)
    data = data[offsets[0] : offsets[-1]].astype(np.uint64)
    powers = np.ones(int(lengths.max(initial=0)) + 1, dtype=np.uint64)
    powers[1:] = np.multiply.accumulate(np.full(len(powers) - 1, _BASE, dtype=np.uint64))
    # each byte (plus one, so that zero bytes count) times BASE to its distance from the end
    from_end = np.repeat(offsets[1:] - offsets[0], lengths) - 1 - np.arange(total)
    terms = (data + np.uint64(1)) * powers[from_end]
    out = np.zeros(count, dtype=np.uint64)
    filled = lengths > 0
    if filled.any():
        out[filled] = np.add.reduceat(terms, (offsets[:-1] - offsets[0])[filled])
    if array.null_count:
        missing = ~np.asarray(array.is_valid())
        out[missing], lengths[missing] = 0, 0
    return _mix(out ^ (lengths.astype(np.uint64) * _LENGTH))


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finalizer: every bit of the input moves about half of the output."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))
