"""The two guards for user files, used by every reader and writer.

Reading: only a regular file, and never more than the limit — `/dev/zero`,
a FIFO or a symlink to a device is refused from its `stat` (opening a FIFO
would block for ever), and the read itself stops at limit + 1 bytes in case
the file grows meanwhile.

Writing: `atomic_write` writes a temporary file beside the target, fsyncs it
and renames it over the target, so a full disk or a crash leaves the old file
whole instead of a truncated one.
"""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .errors import IvrError
from .model import Where


def read_limited(path: str | Path, limit: int) -> bytes:
    """The bytes of regular file `path`; IvrError if it is not one, is over
    `limit` bytes or cannot be read."""
    file = str(path)
    try:
        info = os.stat(file)
        if not stat.S_ISREG(info.st_mode):
            what = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
            raise IvrError(f"this is {what}, not a regular file", "give the path of an ordinary file",
                           Where(file, 0, 0), "unreadable")
        if info.st_size > limit:
            raise IvrError(f"file is {info.st_size} bytes; the limit is {limit}", "split the file, or check "
                           "it is the file you meant", Where(file, 1, 1), "too-large")
        with open(file, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as err:
        raise IvrError(f"cannot read the file: {err.strerror}", "check the path and permissions",
                       Where(file, 0, 0), "unreadable") from None
    if len(data) > limit:
        raise IvrError(f"file grew over the {limit} byte limit while being read", "check the file",
                       Where(file, 1, 1), "too-large")
    return data


def atomic_write(path: str | Path, data: str | bytes, encoding: str = "utf-8") -> None:
    """Replace `path` with `data` all at once (temp file + fsync + rename);
    IvrError (the old file untouched) when it cannot be written."""
    target = Path(os.path.realpath(path))   # a symlink keeps pointing at the new file
    raw = data.encode(encoding) if isinstance(data, str) else data
    tmp = None
    try:
        if target.exists() and not target.is_file() and not target.is_dir():   # -o /dev/stdout, a pipe
            with open(target, "wb") as handle:
                handle.write(raw)
            return
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
        tmp = None
    except OSError as err:
        raise IvrError(f"cannot write {path}: {err.strerror or err}", "check the free disk space and that the "
                       "folder is writable; the previous file (if any) is unchanged",
                       Where(str(path), 0, 0), "unwritable") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def is_file(path: str | Path) -> bool:
    """Path.is_file() that answers False, not OSError, for a name the OS refuses
    (over 255 bytes a part: ENAMETOOLONG, found by the fuzzer in `knowledge_base:`)."""
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False


def inside_folder(folder: str | Path, relative: str) -> Path | None:
    """`folder/relative` if it stays in `folder`'s tree (after `..` and
    symlinks), else None. Decided before anything is read, so a refusal says
    nothing about whether a path outside exists."""
    if not relative or Path(relative).is_absolute() or Path(relative).drive:
        return None
    base = Path(folder).resolve()
    target = (base / relative).resolve()
    return target if target == base or base in target.parents else None
