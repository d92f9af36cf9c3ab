"""Read one member of a zip archive, including the zstd-compressed members Python's zipfile cannot open.

inspect-ai writes its ``.eval`` logs as zip archives whose members use zstd
(zip compression method 93). ``zipfile`` before Python 3.14 lists such members
but refuses to open them, so they are read here from the archive bytes: the
local file header gives where the member's data starts, the central directory
its compressed size, and ``zstandard`` decompresses it (all frames: inspect-ai
splits large members into several). The CRC-32 of the result is checked as
zipfile would. Stored and deflated members go through zipfile as usual.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

from ..errors import InputError

ZIP_ZSTANDARD = 93
#: A member larger than this once decompressed is refused rather than read into memory.
MAX_MEMBER_BYTES = 1 << 30

_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # signature ... file name length, extra field length
_LOCAL_SIGNATURE = b"PK\x03\x04"
DAMAGED_FIX = "copy the file again from where the tool wrote it, or run the tool again"


class _Damaged(Exception):
    """A member whose bytes are not what the archive's directory says."""


def _raw_data(path: Path, info: zipfile.ZipInfo) -> bytes:
    """The member's compressed bytes, found through its local file header."""
    with path.open("rb") as stream:
        stream.seek(info.header_offset)
        header = stream.read(_LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
            raise _Damaged("its local file header is missing")
        fields = _LOCAL_HEADER.unpack(header)
        stream.seek(fields[-2] + fields[-1], io.SEEK_CUR)  # skip the file name and the extra field
        data = stream.read(info.compress_size)
    if len(data) != info.compress_size:
        raise _Damaged("it is truncated")
    return data


def _zstd(data: bytes) -> bytes:
    import zstandard

    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True)
    try:
        return reader.read(MAX_MEMBER_BYTES + 1)
    except zstandard.ZstdError as exc:
        raise _Damaged(f"not valid zstd data: {exc}") from None


def read_member(path: Path, name: str, *, what: str, how: str) -> bytes | None:
    """The bytes of member *name* of the zip archive at *path*, or None when it has no such member.

    *what* says what the archive should be (for messages) and *how* how to get a good one.
    """
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                info = archive.getinfo(name)
            except KeyError:
                return None
            if info.flag_bits & 0x1:
                raise InputError(f"member {name} is encrypted, so not {what}", path=str(path), field=name, fix=how)
            if info.file_size > MAX_MEMBER_BYTES:
                raise InputError(
                    f"member {name} is {info.file_size} bytes, more than the {MAX_MEMBER_BYTES} the importer reads",
                    path=str(path),
                    field=name,
                    fix=how,
                )
            if info.compress_type != ZIP_ZSTANDARD:
                try:
                    with archive.open(info) as member:  # zipfile checks the CRC
                        return member.read()
                except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                    raise _Damaged(str(exc)) from None
        data = _zstd(_raw_data(path, info))
        if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
            raise _Damaged("its size or CRC-32 does not match the archive's directory")
    except _Damaged as exc:
        raise InputError(f"member {name} is damaged ({exc})", path=str(path), field=name, fix=DAMAGED_FIX) from None
    except zipfile.BadZipFile as exc:
        raise InputError(
            f"is not a readable zip archive ({exc}), so not {what}", path=str(path), field="SOURCE", fix=how
        ) from None
    except NotImplementedError as exc:  # a compression method zipfile does not know
        raise InputError(f"member {name} cannot be read ({exc})", path=str(path), field=name, fix=how) from None
    except OSError as exc:
        raise InputError(
            f"cannot be read ({exc.strerror or exc})",
            path=str(path),
            field="SOURCE",
            fix="check the path and its permissions",
        ) from None
    return data
