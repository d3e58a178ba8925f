"""Shared CLI plumbing: output formats, exit codes, clean input errors."""
from __future__ import annotations

import errno
import functools
import json
import math
import sqlite3
import sys
from typing import Any, Callable

import click

from ..errors import IvrError

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


def format_option(*choices: str, default: str = "text") -> Callable:
    """`--format` with the given choices (text first by convention)."""
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default=default,
                        show_default=True, help="Output format (machine-readable on stdout).")


class FiniteFloat(click.FloatRange):
    """click.FloatRange that also refuses nan and inf (FloatRange lets them through)."""

    name = "finite float"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        rv = super().convert(value, param, ctx)
        if not math.isfinite(rv):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return rv


quiet_option = click.option("--quiet", "-q", is_flag=True,
                            help="Only problems: no progress, warnings or skipped-file lines on stderr, "
                                 "and text reports leave out what passed.")

config_option = click.option("--config", "config_path", type=click.Path(dir_okay=False),
                             help="config.yaml to use.")


# a path the user gave that the OS refuses (too long a name, a loop, a folder where a
# file belongs, no permission): their mistake, not a bug, whatever reader met it first
PATH_ERRNOS = {errno.ENAMETOOLONG, errno.ELOOP, errno.EISDIR, errno.ENOTDIR, errno.EACCES}


def user_errors(func: Callable) -> Callable:
    """Turn IvrError (a user mistake) into a clean stderr message and exit 2."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except IvrError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(EXIT_INPUT)
        except sqlite3.Error as err:  # full disk, read-only or locked records database: not a bug
            click.echo(f"error: the records database could not be used: {err} — free disk space, make the "
                       "file and its folder writable, or give another --db (or --no-record)", err=True)
            sys.exit(EXIT_INPUT)
        except OSError as err:
            if err.errno not in PATH_ERRNOS:
                raise
            click.echo(f"error: {err.filename}: {err.strerror} — give a path to an existing, readable file "
                       "(each part of a path at most 255 bytes)", err=True)
            sys.exit(EXIT_INPUT)
    return wrapper


def print_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def progress(msg: str) -> None:
    """Progress and chatter go to stderr so stdout stays machine-readable."""
    click.echo(msg, err=True)
