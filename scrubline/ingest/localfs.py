"""Reading local files safely: regular files only, bounded reads, printable URIs, root checks.

- ``read_regular(path, limit)`` opens with ``O_NONBLOCK`` (a FIFO cannot block the run),
  checks ``fstat`` on the open descriptor (no race between a check and the open) and refuses
  anything but a regular file (FIFO, device such as ``/dev/zero``, socket, folder); it reads
  at most ``limit + 1`` bytes, so a file over the limit costs ``limit`` bytes of memory.
- ``safe_text`` turns any name into printable UTF-8: bytes that are not UTF-8 (a name decoded
  by ``os.fsdecode`` holds them as surrogate escapes) become ``\\xNN``, lone surrogates
  ``\\udNNN``, control characters ``\\xNN``; a valid UTF-8 name is unchanged.
- ``inside(path, root)``: whether ``path``, symlinks resolved, stays under ``root``.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from scrubline.ingest.limits import LimitExceeded

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_READ_CHUNK = 1 << 20


class NotReadable(Exception):
    """A path that is not a regular file we may read; ``error_class`` says what it is."""

    def __init__(self, error_class: str, message: str) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.message = message


def safe_text(text: str) -> str:
    """``text`` as printable, encodable UTF-8 (non-UTF-8 bytes and controls backslash-escaped).

    >>> safe_text("caf\\udce9.txt")  # the Latin-1 byte 0xE9 in a file name
    'caf\\\\xe9.txt'
    >>> safe_text("a\\x00b\\ud800")
    'a\\\\x00b\\\\ud800'
    >>> safe_text("Zürich.txt")
    'Zürich.txt'
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _escape_surrogates(text)
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text


def _escape_surrogates(text: str) -> str:
    out: list[str] = []
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def has_surrogate_or_nul(text: str) -> bool:
    """Whether ``text`` holds a NUL or a lone surrogate (unusable as a path or stored text)."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def inside(path: Path, root: Path) -> bool:
    """Whether ``path`` (symlinks resolved) is ``root`` or below it (``root`` resolved too)."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL: not safely inside
        return False


def read_regular(path: Path, limit: int) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file of at most ``limit`` bytes, and its stat.

    Raises NotReadable (not a regular file), LimitExceeded (more than ``limit`` bytes) or
    OSError (cannot open or read).
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotReadable("NotARegularFile", f"not a regular file ({_kind(info.st_mode)})")
        if info.st_size > limit:
            raise LimitExceeded("TooLarge", f"file is {info.st_size} bytes, limit is {limit}")
        parts: list[bytes] = []
        size = 0
        while size <= limit:  # st_size can lie (a file still growing, /proc): read to the cap
            chunk = os.read(fd, min(_READ_CHUNK, limit + 1 - size))
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
        if size > limit:
            raise LimitExceeded("TooLarge", f"file holds more than {limit} bytes")
        return b"".join(parts), info
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "not a plain file"
