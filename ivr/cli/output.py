"""Write a command's result to -o (or stdout), with a clean error when the
path cannot be written (missing folder, no permission, a directory)."""
from __future__ import annotations

import sys

import click

from ..errors import IvrError
from ..files import atomic_write


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
        atomic_write(output, text)   # a full disk leaves the old file whole, never a truncated one
    except IvrError as err:
        raise IvrError(err.problem, f"give a writable {flag} path with free space; {err.fix.split('; ')[-1]}",
                       code="unwritable") from None
