"""Write a command's result to -o (or stdout), with a clean error when the
path cannot be written (missing folder, no permission, a directory)."""
from __future__ import annotations

from pathlib import Path

import click

from ..errors import IvrError


def write_output(text: str, output: str | None, flag: str = "-o") -> None:
    """`text` to the file `output`, or to stdout when `output` is empty.
    An OSError becomes an IvrError (exit 2) naming the path and the reason."""
    if not output:
        click.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, "utf-8")
    except OSError as err:
        reason = err.strerror or str(err)
        raise IvrError(f"cannot write {output}: {reason}", f"give a writable {flag} path",
                       code="unwritable") from None
