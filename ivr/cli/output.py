"""Write a command's result to -o (or stdout), with a clean error when the
path cannot be written (missing folder, no permission, a directory)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import IvrError


def write_output(text: str | bytes, output: str | None, flag: str = "-o") -> None:
    """`text` (or binary data, e.g. a PNG) to the file `output`, or to stdout
    when `output` is empty. An OSError becomes an IvrError (exit 2) naming the
    path and the reason."""
    if not output:
        if isinstance(text, bytes) and sys.stdout.isatty():
            raise IvrError("will not write binary data to a terminal", f"give {flag} FILE, or pipe the output",
                           code="binary-to-terminal")
        click.echo(text, nl=False)
        return
    try:
        if isinstance(text, bytes):
            Path(output).write_bytes(text)
        else:
            Path(output).write_text(text, "utf-8")
    except OSError as err:
        reason = err.strerror or str(err)
        raise IvrError(f"cannot write {output}: {reason}", f"give a writable {flag} path",
                       code="unwritable") from None
