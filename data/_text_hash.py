"""A 64-bit hash of each text of an Arrow array, vectorized over its UTF-8 bytes.

Hashing ids through Python strings (``pandas.util.hash_pandas_object``) makes an object
per row; this reads the array's byte buffer: each text's bytes as 8-byte words (zeros
after its end) folded through SplitMix64's finalizer, its length mixed in. Equal texts hash
equal in every array and every process; unequal texts collide about as often as random
64-bit numbers, so a caller that acts on equal hashes compares the texts themselves.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

_LENGTH = np.uint64(0x9E3779B97F4A7C15)
"""Added between words and mixed with each text's length (the golden ratio in 64 bits)."""


def text_hash(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Return a uint64 hash of each text of `values` (a missing text hashes as "")."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    array = values.cast(pa.large_binary())
    count = len(array)
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)
    offsets = offsets[array.offset : array.offset + count + 1] if count else np.zeros(1, np.int64)
    lengths = np.diff(offsets)
    body = array.buffers()[2]
    data = np.frombuffer(body, dtype=np.uint8) if body is not None else np.empty(0, np.uint8)
    out = np.zeros(count, dtype=np.uint64)
    # texts of one length at a time, as rows of 8-byte words folded through the mixer: a
    # loop over lengths and words, vectorized over the texts
    for length in np.unique(lengths[lengths > 0]):
        rows = np.flatnonzero(lengths == length)
        windows = np.lib.stride_tricks.sliding_window_view(data, int(length))
        words = np.zeros((len(rows), -(-int(length) // 8) * 8), dtype=np.uint8)
        words[:, :length] = windows[offsets[rows]]
        value = np.zeros(len(rows), dtype=np.uint64)
        for word in words.view("<u8").T:
            value = _mix(value ^ word) + _LENGTH
        out[rows] = value
    if array.null_count:
        missing = ~np.asarray(array.is_valid())
        out[missing], lengths[missing] = 0, 0
    return _mix(out + _mix(lengths.astype(np.uint64) + _LENGTH))


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finalizer: every bit of the input moves about half of the output."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))
