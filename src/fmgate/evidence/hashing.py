"""Text normalisation and 64-bit hashing for exact duplicate checks on streamed data.

Two texts count as the same when they are equal after trimming, lower-casing
and collapsing every run of whitespace to one space. All of it runs in Arrow
compute kernels, so the small eval set and the streamed domain data are
normalised by the same code.

Hashes are 64 bits: a NumPy fold for ASCII strings of up to 128 bytes
(ids, labels, most texts) and Python's built-in ``hash`` (SipHash, salted per
process) for the rest, so hashes are compared only within one run and never
stored. With 10 million distinct texts the chance of any collision is about
3 in a million; a collision could only make two different texts count once.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Whitespace as RE2 sees it (ASCII \s) plus Unicode separators, NEL and vertical tab.
_SPACE_RUN = r"[\s\p{Z}\x{85}\x{0b}]+"
# A row needs the (slow) regex only when it has two whitespace characters in a row,
# or any whitespace that is not a plain space.
_NEEDS_COLLAPSE = r"[\s\p{Z}\x{85}\x{0b}]{2}|[^ \PZ]|[\t\n\r\f\x{0b}\x{85}]"


def _as_string_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_large_string(values.type) or pa.types.is_string_view(values.type):
        values = values.cast(pa.string())
    if not pa.types.is_string(values.type):
        values = values.cast(pa.string())
    return values


def _ascii_needs_collapse(values: pa.Array) -> pa.Array:
    """For trimmed ASCII text: True where a row holds two spaces in a row or a tab, newline, VT, FF or CR.

    Scans the bytes with NumPy, which is faster than a regular expression
    per row. Trimmed rows neither start nor end with whitespace, so a pair of
    spaces never straddles two rows.
    """
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32, count=len(values) + 1, offset=4 * values.offset)
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    found = []
    # In slices of 1 MiB (overlapping by one byte for pairs), so the temporaries stay small and reused.
    for start in range(0, len(data), _SCAN_CHUNK):
        chunk = data[start : start + _SCAN_CHUNK + 1]
        hits = (chunk - np.uint8(9)) <= np.uint8(4)  # bytes 9 to 13
        space = chunk == 32
        hits[:-1] |= space[:-1] & space[1:]
        hits = hits[:_SCAN_CHUNK]
        if hits.any():
            found.append(np.flatnonzero(hits) + start)
    mask = np.zeros(len(values), dtype=bool)
    if found:
        mask[np.searchsorted(offsets, np.concatenate(found) + offsets[0], side="right") - 1] = True
    return pa.array(mask)


def normalize_text(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Trim, lower-case and collapse whitespace runs to single spaces (nulls stay null)."""
    values = _as_string_array(values)
    if len(values) == 0:
        return values
    trimmed = pc.utf8_trim_whitespace(values)
    ascii_only = pc.all(pc.string_is_ascii(trimmed)).as_py()
    if ascii_only is not False:
        lowered = pc.ascii_lower(trimmed)
        needs = _ascii_needs_collapse(lowered)
    else:
        lowered = pc.utf8_lower(trimmed)
        needs = pc.fill_null(pc.match_substring_regex(lowered, _NEEDS_COLLAPSE), False)
    count = pc.sum(needs).as_py() or 0
    if count == 0:
        return lowered
    collapsed = pc.replace_substring_regex(pc.filter(lowered, needs), _SPACE_RUN, " ")
    return pc.replace_with_mask(lowered, needs, collapsed)


#: Byte widths the NumPy fold pads to: a string goes to the smallest that holds it.
_FAST_WIDTHS = tuple(range(16, 129, 16))
_SCAN_CHUNK = 1 << 20
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_SEED = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray, scratch: np.ndarray) -> None:
    """The splitmix64 finaliser, in place: a bijection on 64-bit words that spreads every input bit.

    *scratch* is a buffer of the same shape, so that no temporary is allocated.
    """
    np.right_shift(x, np.uint64(30), out=scratch)
    x ^= scratch
    x *= _M1
    np.right_shift(x, np.uint64(27), out=scratch)
    x ^= scratch
    x *= _M2
    np.right_shift(x, np.uint64(31), out=scratch)
    x ^= scratch


def _hash_fixed(values: pa.Array, width: int) -> np.ndarray:
    """Hash short ASCII strings without creating Python objects.

    Each string is padded with NUL to *width* bytes, read as 64-bit words and
    folded as h = mix(h ^ word), starting from a value mixed with the length.
    Every step is a bijection of the word, so two strings of the same length
    that differ in one word never collide; any other pair collides only by
    chance (2**-64).
    """
    padded = pc.utf8_rpad(values, width=width, padding="\0")
    start = int(np.frombuffer(padded.buffers()[1], dtype=np.int32, count=1, offset=4 * padded.offset)[0])
    words = np.frombuffer(padded.buffers()[2], dtype=np.uint64, count=len(values) * width // 8, offset=start).reshape(
        len(values), width // 8
    )
    h = pc.binary_length(values).to_numpy(zero_copy_only=False).astype(np.uint64)
    scratch = np.empty_like(h)
    with np.errstate(over="ignore"):
        h += _SEED + np.uint64(width)
        _mix(h, scratch)
        for column in range(width // 8):
            h ^= words[:, column]
            _mix(h, scratch)
    return h.view(np.int64)


def hash_strings(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """64-bit hashes (int64) of each string; the caller drops nulls first.

    ASCII strings of at most 128 bytes (ids, labels, most texts) are hashed
    with NumPy, padded to the next multiple of 16 bytes (fast, without Python
    objects and without holding the interpreter lock); all others with
    Python's ``hash``. Which way a string goes, and its width, depend only on
    the string, so equal strings always hash equal.
    """
    values = _as_string_array(values)
    if values.null_count:
        raise ValueError("hash_strings needs an array without nulls")
    n = len(values)
    out = np.empty(n, dtype=np.int64)
    if n == 0:
        return out
    lengths = pc.binary_length(values).to_numpy(zero_copy_only=False)
    step = _FAST_WIDTHS[0]
    width = np.where(lengths <= _FAST_WIDTHS[-1], np.maximum(step, -(-lengths // step) * step), 0)
    short = width > 0
    if short.any():
        candidates = values if short.all() else pc.filter(values, pa.array(short))
        ascii_ = pc.string_is_ascii(candidates).to_numpy(zero_copy_only=False)
        short[np.flatnonzero(short)[~ascii_]] = False
        width[~short] = 0
    for w in (np.flatnonzero(np.bincount(width // step)[1:]) + 1) * step:  # the widths in use
        chosen = width == w
        if chosen.all():
            return _hash_fixed(values, int(w))
        out[chosen] = _hash_fixed(pc.filter(values, pa.array(chosen)), int(w))
    rest = ~short
    if rest.all():
        out[:] = np.fromiter(map(hash, values.to_numpy(zero_copy_only=False)), dtype=np.int64, count=n)
    elif rest.any():
        objects = pc.filter(values, pa.array(rest)).to_numpy(zero_copy_only=False)
        out[rest] = np.fromiter(map(hash, objects), dtype=np.int64, count=len(objects))
    return out


class DistinctCounter:
    """Counts distinct hashes fed in batches: exact up to hash collisions, 8 bytes per row."""

    def __init__(self) -> None:
        self._parts: list[np.ndarray] = []
        self._distinct: int | None = None
        self.total = 0

    def add(self, hashes: np.ndarray) -> None:
        if len(hashes):
            self._parts.append(np.asarray(hashes, dtype=np.int64))
            self.total += len(hashes)
            self._distinct = None

    def distinct(self) -> int:
        if not self._parts:
            return 0
        if self._distinct is None or len(self._parts) > 1:
            merged = np.concatenate(self._parts)
            self._parts = [merged]
            merged.sort()
            self._distinct = int(np.count_nonzero(merged[1:] != merged[:-1]) + 1)
        return self._distinct

    @property
    def duplicates(self) -> int:
        """Rows beyond the first of each distinct value."""
        return self.total - self.distinct()


class FirstSeen:
    """Remembers hashes across batches and says which rows show a value for the first time."""

    def __init__(self) -> None:
        self._seen: set[int] = set()

    def first(self, hashes: np.ndarray) -> np.ndarray:
        """Boolean mask: True where the row's value appears for the first time overall."""
        hashes = np.asarray(hashes, dtype=np.int64)
        mask = np.zeros(len(hashes), dtype=bool)
        if not len(hashes):
            return mask
        _, first_index = np.unique(hashes, return_index=True)
        mask[first_index] = True
        seen = self._seen
        unseen = np.fromiter((h not in seen for h in hashes[first_index].tolist()), dtype=bool, count=len(first_index))
        mask[first_index[~unseen]] = False
        seen.update(hashes[first_index].tolist())
        return mask
