"""Text normalisation and 64-bit hashing for exact duplicate checks on streamed data.

Two texts count as the same when they are equal after trimming, lower-casing
and collapsing every run of whitespace to one space. The small eval set and
the streamed domain data are normalised by the same code: Arrow compute
kernels, with a NumPy shortcut for the common case of a text that is already
in normal form apart from its case (see :func:`plain_rows`), where only the
lower-casing is left to do.

Hashes are 64 bits: a NumPy hash of the UTF-8 bytes of strings of up to
1 KiB (ids, labels, nearly every text; see :func:`_fold`) and Python's
built-in ``hash`` (SipHash, salted per process) for longer ones, so hashes
are compared only within one run and never stored. With 10 million distinct
texts the chance of any collision is about 3 in a million; a collision could
only make two different texts count once.
"""

from __future__ import annotations

import functools

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
#: Strings longer than this (bytes) are hashed by Python rather than with NumPy.
_LONG = 1024
#: Strings of up to this many 64-bit words are hashed together, read as wide as the longest.
_GROUP_WORDS = 16
#: Bytes of gathered words mixed at a time: small enough to stay in the processor's cache.
_SLICE_BYTES = 1 << 18
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_SEED = np.uint64(0x9E3779B97F4A7C15)
_ALL = np.uint64(2**64 - 1)


def _mix(x: np.ndarray, scratch: np.ndarray) -> None:
    """The splitmix64 finaliser, in place: a bijection on 64-bit words that spreads every input bit.

    *scratch* is a buffer of the same shape, so that no temporary is allocated.
    """
    with np.errstate(over="ignore"):
        np.right_shift(x, np.uint64(30), out=scratch)
        x ^= scratch
        x *= _M1
        np.right_shift(x, np.uint64(27), out=scratch)
        x ^= scratch
        x *= _M2
        np.right_shift(x, np.uint64(31), out=scratch)
        x ^= scratch


def _mixed(values: np.ndarray) -> np.ndarray:
    _mix(values, np.empty_like(values))
    return values


#: A key per word position, mixed into the word (positions 0 to _LONG / 8 - 1).
_KEYS = _mixed(np.arange(_LONG // 8, dtype=np.uint64) + _M2)


def _zero_sums() -> np.ndarray:
    """For each width, what a string's zero words up to it add before correction: a prefix sum of mix(key j)."""
    zero = _mixed(_KEYS.copy())
    with np.errstate(over="ignore"):
        return np.concatenate([np.zeros(1, dtype=np.uint64), np.cumsum(zero, dtype=np.uint64)])


#: What the zero words of a string read as w words add (index w): taken off so that they add nothing.
_ZERO_SUMS = _zero_sums()


def _as_string_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not pa.types.is_string(values.type):
        values = values.cast(pa.string())
    return values


def string_layout(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string array's offsets (int64, counted from its first byte) and its bytes, without copying them."""
    buffers = values.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32, count=len(values) + 1, offset=4 * values.offset)
    first, last = int(offsets[0]), int(offsets[-1])
    if last > first:
        data = np.frombuffer(buffers[2], dtype=np.uint8, count=last - first, offset=first)
    else:
        data = np.zeros(0, dtype=np.uint8)
    return np.subtract(offsets, first, dtype=np.int64), data


# --- normalisation ------------------------------------------------------------------------------


def _odd_bytes(data: np.ndarray) -> np.ndarray:
    """Positions of the bytes a text in normal form (apart from case) cannot hold.

    That is a byte outside printable ASCII and space (below 0x20: tabs, line
    breaks and other controls; 0x80 and above: anything not ASCII), and the
    first of two spaces in a row. Scanned in slices that overlap by one byte,
    so a pair of spaces across two slices is found.
    """
    size = -(-_SCAN_CHUNK // 8) * 8  # whole 64-bit words, for finding the hits
    odd = np.zeros(size + 8, dtype=bool)
    space = np.empty(size + 1, dtype=bool)
    pair = np.empty(size, dtype=bool)
    signed = data.view(np.int8)  # bytes from 0x80 up are negative
    found = []
    for start in range(0, len(data), size):
        chunk = signed[start : start + size + 1]
        n = len(chunk)
        np.less(chunk, 0x20, out=odd[:n])
        np.equal(chunk, 0x20, out=space[:n])
        np.logical_and(space[: n - 1], space[1:n], out=pair[: n - 1])
        np.logical_or(odd[: n - 1], pair[: n - 1], out=odd[: n - 1])
        odd[min(size, n) :] = False
        # Hits are few: find the 64-bit words holding one, then the bytes within those words.
        words = np.flatnonzero(odd.view(np.uint64) != 0)
        if len(words):
            at = (words[:, None] * 8 + np.arange(8)).ravel()
            found.append(at[odd[at]] + start)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def plain_rows(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """NumPy mask: True where a string is already in normal form apart from its case.

    Such a string is not empty and holds printable ASCII only, with single
    spaces between non-space characters and none at either end. Normalising
    it is lower-casing it, and it is not blank. Nulls are False.
    """
    values = _as_string_array(values)
    offsets, data = string_layout(values)
    plain = offsets[1:] > offsets[:-1]
    if not len(data):
        return plain
    if values.null_count:
        plain &= pc.is_valid(values).to_numpy(zero_copy_only=False)
    last = len(data) - 1
    plain &= data[np.minimum(offsets[:-1], last)] != 0x20  # no space first
    plain &= data[np.maximum(offsets[1:] - 1, 0)] != 0x20  # nor last
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
    offsets, data = string_layout(values)
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
    runs = pc.filter(lowered, needs)
    collapsed = _collapse_ascii(runs) if ascii_only is not False else pc.replace_substring_regex(runs, _SPACE_RUN, " ")
    return pc.replace_with_mask(lowered, needs, collapsed)


def _collapse_ascii(values: pa.Array) -> pa.Array:
    """``_SPACE_RUN`` replaced by one space, for trimmed ASCII text without nulls, in NumPy rather than a regex.

    In ASCII the run's characters are tab, newline, VT, FF, CR and space:
    each becomes a space, and every one that follows another is dropped. The
    text is trimmed, so no run crosses from one row into the next.
    """
    if values.null_count:
        return pc.replace_substring_regex(values, _SPACE_RUN, " ")
    offsets, data = string_layout(values)
    white = (data == 0x20) | (data - np.uint8(9) <= np.uint8(4))
    keep = np.ones(len(data), dtype=bool)
    keep[1:] = ~(white[1:] & white[:-1])
    kept = np.where(white, np.uint8(0x20), data)[keep]
    dropped = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(~keep)])
    shifted = (offsets - dropped[offsets]).astype(np.int32)
    return pa.StringArray.from_buffers(len(values), pa.py_buffer(shifted), pa.py_buffer(kept))


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


# --- hashing ------------------------------------------------------------------------------------


@functools.cache
def _own_bytes(width: int) -> np.ndarray:
    """Masks over *width* words (one item each): item r keeps the first r bytes and clears the rest."""
    keep = np.zeros((8 * width + 1, 8 * width), dtype=np.uint8)
    for r in range(8 * width + 1):
        keep[r, :r] = 0xFF
    return keep.view(f"V{8 * width}").ravel()


def _add_words(
    data: np.ndarray, starts: np.ndarray, lengths: np.ndarray, width: int, out: np.ndarray, lower: bool
) -> None:
    """Add to *out* the sum of ``mix(word j ^ key j) - mix(key j)`` over the first *width* words of each string.

    Bytes past a string's end count as zero, and a zero word adds nothing,
    so the sum is that of the string's own words, whatever *width* is. The
    strings end at least ``8 * width`` bytes before the end of *data*. They
    are gathered a slice of rows at a time, each slice small enough to stay
    in the processor's cache while it is mixed. With *lower*, ASCII capitals
    are read as small letters (the strings are ASCII).
    """
    view = np.ndarray((len(data) - 8 * width + 1,), dtype=f"V{8 * width}", buffer=data, strides=(1,))
    masks = _own_bytes(width)
    step = max(1, _SLICE_BYTES // (8 * width))
    keys = np.tile(_KEYS[:width], min(step, len(starts)))
    scratch = np.empty(len(keys), dtype=np.uint64)
    capital = np.empty(8 * len(keys), dtype=bool)
    for lo in range(0, len(starts), step):
        hi = min(lo + step, len(starts))
        size = (hi - lo) * width
        words = view[starts[lo:hi]].view(np.uint64)  # row after row, each *width* words
        # Zero the bytes past each string's end.
        if width == 1:
            words &= np.right_shift(_ALL, (64 - 8 * lengths[lo:hi]).view(np.uint64))
        else:
            words &= masks[lengths[lo:hi]].view(np.uint64)
        if lower:
            text = words.view(np.uint8)
            shifted = scratch[:size].view(np.uint8)
            np.subtract(text, np.uint8(ord("A")), out=shifted)
            np.less(shifted, np.uint8(26), out=capital[: 8 * size])
            text |= np.multiply(capital[: 8 * size].view(np.uint8), np.uint8(0x20), out=shifted)
        words ^= keys[:size]
        _mix(words, scratch[:size])
        if width == 1:
            out[lo:hi] += words
        else:
            out[lo:hi] += np.ascontiguousarray(words.reshape(hi - lo, width).T).sum(axis=0)
    out -= _ZERO_SUMS[width]


def _fold_into(data: np.ndarray, starts: np.ndarray, ends: np.ndarray, out: np.ndarray, lower: bool) -> None:
    """:func:`_add_words` for strings of at most ``_LONG`` bytes, reading those near the end of *data* from a copy."""
    lengths = ends - starts
    width = (int(lengths.max()) + 7) // 8
    if width == 0:
        return
    # A gather reads up to 8 * width bytes from a string's start: the strings ending that close to
    # the end of the buffer are read from a zero-padded copy of that end.
    inside = int(np.searchsorted(ends, len(data) - 8 * width, side="right"))
    if inside:
        part = out[:inside]
        _add_words(data, starts[:inside], lengths[:inside], width, part, lower)
    if inside < len(starts):
        base = int(starts[inside])
        tail = np.zeros(len(data) - base + 8 * width, dtype=np.uint8)
        tail[: len(data) - base] = data[base:]
        part = out[inside:]
        _add_words(tail, starts[inside:] - base, lengths[inside:], width, part, lower)


def _fold(data: np.ndarray, starts: np.ndarray, ends: np.ndarray, lower: bool = False) -> np.ndarray:
    """64-bit hashes (uint64) of the byte strings ``data[start:end]``, each at most ``_LONG`` bytes.

    The strings are taken in the order they lie in *data* (starts and ends
    never decrease). Each is read as little-endian 64-bit words, the last one
    padded with zero bytes. With s its length times an odd constant plus a
    seed, it hashes as mix(s + the sum over its words of g_j(word j)), modulo
    2**64, where g_j(w) = mix(w ^ key j) - mix(key j), with a key per
    position j: a bijection that takes zero to zero, so that reading a string
    padded with zero words changes nothing. Two strings of the same length
    that differ in one word never collide; any other pair collides only by
    chance (2**-64). The words are gathered straight from the Arrow buffer,
    without copying the strings first, and mixed as whole rows (no Python
    loop over words). Strings of up to ``_GROUP_WORDS`` words are read in one
    group, as wide as the longest; longer ones in groups by powers of two, so
    that short strings are not padded to the width of a few long ones.
    """
    lengths = ends - starts
    with np.errstate(over="ignore"):
        out = lengths.astype(np.uint64) * _M1 + _SEED
    if len(starts) and int(lengths.max()) > 8 * _GROUP_WORDS:
        bound = 8 * _GROUP_WORDS
        groups = [lengths <= bound]
        while bound < _LONG:
            groups.append((lengths > bound) & (lengths <= 2 * bound))
            bound *= 2
        for rows in groups:
            if rows.any():
                part = out[rows]
                _fold_into(data, starts[rows], ends[rows], part, lower)
                out[rows] = part
    elif len(starts):
        _fold_into(data, starts, ends, out, lower)
    _mix(out, np.empty_like(out))
    return out


def _python_hashes(values: pa.Array) -> np.ndarray:
    return np.fromiter(map(hash, values.to_numpy(zero_copy_only=False)), dtype=np.int64, count=len(values))


def _hash_rows(values: pa.Array, rows: np.ndarray | None, lower: bool = False) -> np.ndarray:
    """Hashes of the strings of *values* at *rows* (ascending positions; all of them when None), in that order.

    With *lower*, of their ASCII lower-cased form (the strings are ASCII).
    """
    offsets, data = string_layout(values)
    if rows is None:
        starts, ends = offsets[:-1], offsets[1:]
    else:
        starts, ends = offsets[rows], offsets[rows + 1]
    if not len(starts):
        return np.empty(0, dtype=np.int64)
    if int((ends - starts).max()) <= _LONG:
        return _fold(data, starts, ends, lower).view(np.int64)
    long = (ends - starts) > _LONG
    out = np.empty(len(starts), dtype=np.int64)
    short = ~long
    out[short] = _fold(data, starts[short], ends[short], lower).view(np.int64)
    picked = np.flatnonzero(long) if rows is None else rows[long]
    chosen = values.take(pa.array(picked))
    out[long] = _python_hashes(pc.ascii_lower(chosen) if lower else chosen)
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
    return _hash_rows(values, None)


def hash_normalized(
    values: pa.Array | pa.ChunkedArray, mask: np.ndarray | None = None, plain: np.ndarray | None = None
) -> np.ndarray:
    """``hash_strings(normalize_text(values.filter(mask)))``, without building the normalised strings when it can.

    *mask* selects non-null values (all rows when None); *plain* is
    :func:`plain_rows` of *values*, when the caller has it already. A plain
    row's normal form is its lower-cased self, so it is hashed from its own
    bytes, lower-cased as they are read; the others are normalised by Arrow
    first.
    """
    values = _as_string_array(values)
    if plain is None:
        plain = plain_rows(values)
    if mask is None:
        mask = np.ones(len(values), dtype=bool)
    easy = mask & plain
    rest = mask & ~plain
    if not rest.any():
        return _hash_rows(values, np.flatnonzero(easy), lower=True)
    out = np.empty(int(np.count_nonzero(mask)), dtype=np.int64)
    is_easy = easy[mask]
    out[~is_easy] = hash_strings(
        normalize_text(values.filter(pa.array(rest)), np.zeros(len(out) - int(is_easy.sum()), dtype=bool))
    )
    out[is_easy] = _hash_rows(values, np.flatnonzero(easy), lower=True)
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
