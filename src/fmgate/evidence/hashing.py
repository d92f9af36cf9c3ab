"""Text normalisation and 64-bit hashing for exact duplicate checks on streamed data.

Two texts count as the same when they are equal after trimming, lower-casing
and collapsing every run of whitespace to one space. The small eval set and
the streamed domain data are normalised by the same code: Arrow compute
kernels, with a NumPy shortcut for the common case of a text that is already
in normal form apart from its case (see :func:`plain_rows`), where only the
lower-casing is left to do.

Hashes are 64 bits: a NumPy fold over the UTF-8 bytes of strings of up to
1 KiB (ids, labels, nearly every text) and Python's built-in ``hash``
(SipHash, salted per process) for longer ones, so hashes are compared only
within one run and never stored. With 10 million distinct texts the chance of
any collision is about 3 in a million; a collision could only make two
different texts count once.
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

#: Bytes scanned per step by the NumPy byte checks (small enough to stay in cache).
_SCAN_CHUNK = 1 << 18
#: Strings longer than this (bytes) are hashed by Python rather than the NumPy fold.
_LONG = 1024
#: Words (8 bytes) the fold gathers from a string at a time.
_BLOCK = 4
_BLOCK_BYTES = 8 * _BLOCK
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_SEED = np.uint64(0x9E3779B97F4A7C15)
#: Keeps the first r bytes of a little-endian word, for r = 1..7 (index 0: the whole word).
_KEEP = np.array([2**64 - 1] + [(1 << (8 * r)) - 1 for r in range(1, 8)], dtype=np.uint64)


def _as_string_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not pa.types.is_string(values.type):
        values = values.cast(pa.string())
    return values


def _layout(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string array's offsets (int64, counted from its first byte) and its bytes, without copying them."""
    buffers = values.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32, count=len(values) + 1, offset=4 * values.offset)
    first, last = int(offsets[0]), int(offsets[-1])
    if last > first:
        data = np.frombuffer(buffers[2], dtype=np.uint8, count=last - first, offset=first)
    else:
        data = np.zeros(0, dtype=np.uint8)
    return offsets.astype(np.int64) - first, data


def _odd_bytes(data: np.ndarray) -> np.ndarray:
    """Positions of the bytes a text in normal form (apart from case) cannot hold.

    That is a byte outside printable ASCII and space (below 0x20: tabs, line
    breaks and other controls; 0x80 and above: anything not ASCII), and the
    first of two spaces in a row. Scanned in slices that overlap by one byte,
    so a pair of spaces across two slices is found.
    """
    size = _SCAN_CHUNK
    shifted = np.empty(size + 1, dtype=np.uint8)
    odd = np.empty(size + 1, dtype=bool)
    space = np.empty(size + 1, dtype=bool)
    pair = np.empty(size, dtype=bool)
    found = []
    for start in range(0, len(data), size):
        chunk = data[start : start + size + 1]
        n = len(chunk)
        # byte - 0x20 (wrapping): 0 for a space, above 0x5F for a control byte or a non-ASCII one
        np.subtract(chunk, np.uint8(0x20), out=shifted[:n])
        np.greater(shifted[:n], np.uint8(0x5F), out=odd[:n])
        np.equal(shifted[:n], np.uint8(0), out=space[:n])
        np.logical_and(space[: n - 1], space[1:n], out=pair[: n - 1])
        np.logical_or(odd[: n - 1], pair[: n - 1], out=odd[: n - 1])
        hits = odd[: min(size, n)]
        if hits.any():
            found.append(np.flatnonzero(hits) + start)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def plain_rows(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """NumPy mask: True where a string is already in normal form apart from its case.

    Such a string is not empty and holds printable ASCII only, with single
    spaces between non-space characters and none at either end. Normalising
    it is lower-casing it, and it is not blank. Nulls are False.
    """
    values = _as_string_array(values)
    offsets, data = _layout(values)
    plain = offsets[1:] > offsets[:-1]
    if values.null_count:
        plain &= pc.is_valid(values).to_numpy(zero_copy_only=False)
    if not len(data):
        return plain
    last = len(data) - 1
    plain &= data[np.minimum(offsets[:-1], last)] != 0x20  # leading space
    plain &= data[np.maximum(offsets[1:] - 1, 0)] != 0x20  # trailing space
    odd = _odd_bytes(data)
    if len(odd):
        plain[np.searchsorted(offsets, odd, side="right") - 1] = False
    return plain


def _ascii_needs_collapse(values: pa.Array) -> pa.Array:
    """For trimmed ASCII text: True where a row holds two spaces in a row or a tab, newline, VT, FF or CR.

    Scans the bytes with NumPy, which is faster than a regular expression
    per row. Trimmed rows neither start nor end with whitespace, so a pair of
    spaces never straddles two rows.
    """
    offsets, data = _layout(values)
    found = []
    # In slices (overlapping by one byte for pairs), so the temporaries stay small and reused.
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
        mask[np.searchsorted(offsets, np.concatenate(found), side="right") - 1] = True
    return pa.array(mask)


def _normalize_all(values: pa.Array) -> pa.Array:
    """Trim, lower-case and collapse, every row through Arrow (the rows :func:`plain_rows` does not take)."""
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


def normalize_text(values: pa.Array | pa.ChunkedArray, plain: np.ndarray | None = None) -> pa.Array:
    """Trim, lower-case and collapse whitespace runs to single spaces (nulls stay null).

    *plain* is :func:`plain_rows` of *values*, when the caller has it already.
    """
    values = _as_string_array(values)
    if len(values) == 0:
        return values
    if plain is None:
        plain = plain_rows(values)
    if plain.all():
        return pc.ascii_lower(values)
    if not plain.any():
        return _normalize_all(values)
    rest = pa.array(~plain)
    return pc.replace_with_mask(pc.ascii_lower(values), rest, _normalize_all(pc.filter(values, rest)))


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


def _fold_inside(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """:func:`_fold` for strings that end at least ``_BLOCK_BYTES - 1`` bytes before the end of *data*."""
    n = len(starts)
    words = (lengths + 7) >> 3
    with np.errstate(over="ignore"):
        h = lengths.astype(np.uint64)
        h += _SEED
        scratch = np.empty_like(h)
        _mix(h, scratch)
        top = int(words.max()) if n else 0
        if top == 0:
            return h
        order = None
        if int(words.min()) != top:  # shortest first, so the strings still going are a tail of the order
            order = np.argsort(words.astype(np.uint8), kind="stable")  # at most 128 words: a radix sort
            starts, lengths, words, h = starts[order], lengths[order], words[order], h[order]
        # going[k]: where the strings with more than k words begin in that order
        going = np.searchsorted(words, np.arange(top + _BLOCK), side="right")
        blocks = np.ndarray(
            (len(data) - _BLOCK_BYTES + 1,), dtype=f"V{_BLOCK_BYTES}", buffer=data, strides=(1,)
        )
        for b in range(0, top, _BLOCK):
            lo = int(going[b])
            block = blocks[starts[lo:] + 8 * b].view(np.uint64).reshape(-1, _BLOCK)
            # The strings that end in this block: keep only their own bytes of their last word.
            ending = int(going[b + _BLOCK]) - lo
            if ending:
                partial = np.flatnonzero(lengths[lo : lo + ending] & 7)
                if len(partial):
                    at = lo + partial
                    block[partial, words[at] - 1 - b] &= _KEEP[lengths[at] & 7]
            for j in range(min(_BLOCK, top - b)):
                first = int(going[b + j])
                h[first:] ^= block[first - lo :, j]
                _mix(h[first:], scratch[first:])
    if order is None:
        return h
    out = np.empty_like(h)
    out[order] = h
    return out


def _fold(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """64-bit hashes (uint64) of the byte strings ``data[start:start + length]``, each at most ``_LONG`` bytes.

    The strings are taken in the order they lie in *data* (starts and ends
    never decrease). Each is read as little-endian 64-bit words, the last one
    padded with zero bytes, and folded as h = mix(h ^ word), starting from its
    length mixed. Every step is a bijection of the word, so two strings of
    the same length that differ in one word never collide; any other pair
    collides only by chance (2**-64). Words are gathered ``_BLOCK`` at a time
    straight from the Arrow buffer, without copying the strings first.
    """
    n = len(starts)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    # A gather reads up to _BLOCK_BYTES - 1 bytes past a string's end: the strings ending that
    # close to the end of the buffer are read from a zero-padded copy of that end.
    inside = int(np.searchsorted(starts + lengths, len(data) - _BLOCK_BYTES + 1, side="right"))
    if inside == n:
        return _fold_inside(data, starts, lengths)
    base = int(starts[inside])
    tail = np.zeros(len(data) - base + _BLOCK_BYTES, dtype=np.uint8)
    tail[: len(data) - base] = data[base:]
    last = _fold_inside(tail, starts[inside:] - base, lengths[inside:])
    if inside == 0:
        return last
    return np.concatenate([_fold_inside(data, starts[:inside], lengths[:inside]), last])


def _python_hashes(values: pa.Array) -> np.ndarray:
    return np.fromiter(map(hash, values.to_numpy(zero_copy_only=False)), dtype=np.int64, count=len(values))


def _hash_rows(values: pa.Array, rows: np.ndarray | None) -> np.ndarray:
    """Hashes of the strings of *values* at *rows* (ascending positions; all of them when None)."""
    offsets, data = _layout(values)
    if rows is None:
        starts, lengths = offsets[:-1], np.diff(offsets)
    else:
        starts = offsets[rows]
        lengths = offsets[rows + 1] - starts
    long = lengths > _LONG
    if not long.any():
        return _fold(data, starts, lengths).view(np.int64)
    out = np.empty(len(starts), dtype=np.int64)
    short = ~long
    out[short] = _fold(data, starts[short], lengths[short]).view(np.int64)
    picked = np.flatnonzero(long) if rows is None else rows[long]
    out[long] = _python_hashes(values.take(pa.array(picked)))
    return out


def hash_strings(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """64-bit hashes (int64) of each string; the caller drops nulls first.

    Strings of up to ``_LONG`` bytes are hashed with NumPy (see :func:`_fold`:
    no Python objects, and the interpreter lock is released); longer ones
    with Python's ``hash``. Which way a string goes depends only on its
    length, so equal strings always hash equal.
    """
    values = _as_string_array(values)
    if values.null_count:
        raise ValueError("hash_strings needs an array without nulls")
    if len(values) == 0:
        return np.empty(0, dtype=np.int64)
    return _hash_rows(values, None)


def hash_normalized(
    values: pa.Array | pa.ChunkedArray, rows: np.ndarray | None = None, plain: np.ndarray | None = None
) -> np.ndarray:
    """``hash_strings(normalize_text(values.take(rows)))``, without building the normalised strings when it can.

    *rows* are ascending positions of non-null values (all rows when None);
    *plain* is :func:`plain_rows` of *values*, when the caller has it already.
    A plain row's normal form is its lower-cased self, so it is hashed from
    the lower-cased column in place; the others are normalised by Arrow first.
    """
    values = _as_string_array(values)
    picked = np.arange(len(values)) if rows is None else np.asarray(rows, dtype=np.int64)
    if len(picked) == 0:
        return np.empty(0, dtype=np.int64)
    if plain is None:
        plain = plain_rows(values)
    easy = plain[picked]
    if not easy.all():
        out = np.empty(len(picked), dtype=np.int64)
        rest = picked[~easy]
        out[~easy] = hash_strings(normalize_text(values.take(pa.array(rest)), plain[rest]))
        if not easy.any():
            return out
        out[easy] = _hash_rows(pc.ascii_lower(values), picked[easy])
        return out
    return _hash_rows(pc.ascii_lower(values), picked)


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
