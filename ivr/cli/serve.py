"""ivr serve: answer SIP calls and run menus over RTP (a real phone line)."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Optional

import click

from ..config import load_config
from ..errors import IvrError
from ..model import Where
from .common import config_option, format_option, user_errors

HOLD_MUSIC = "/usr/share/asterisk/moh/macroform-cold_day.wav"  # Debian asterisk-moh-opsound-wav


def _listen(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise click.BadParameter(f"{value!r} is not HOST:PORT (e.g. 127.0.0.1:5060)")
    return host.strip("[]"), int(port)


@click.command("serve")
@click.argument("menu_files", metavar="MENU...", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--listen", "listen", default="127.0.0.1:5060", show_default=True,
              help="HOST:PORT for SIP over UDP and TCP (port 0: any free port). Loopback unless you say otherwise.")
@click.option("--default-menu", help="Menu id for request-URIs naming no served menu (default: the first).")
@click.option("--no-tcp", is_flag=True, help="UDP only.")
@click.option("--max-calls", type=click.IntRange(1, 10000), default=100, show_default=True,
              help="Concurrent calls; beyond them new calls get 486 Busy Here.")
@click.option("--media-timeout", type=click.FloatRange(1, 3600), default=10.0, show_default=True,
              help="Hang up when no RTP arrives for this many seconds.")
@click.option("--allow", multiple=True, metavar="CIDR", help="Only these source networks may call (repeat).")
@click.option("--auth", metavar="USER:PASSWORD", help="Require SIP digest authentication.")
@click.option("--agent-uri", metavar="SIP-URI",
              help="Blind-transfer (REFER) callers who reach a person to this URI; default: the built-in queue.")
@click.option("--agent-after", type=click.FloatRange(0, 86400), default=None,
              help="Built-in queue: a simulated agent answers after this many seconds on hold.")
@click.option("--hold-music", type=click.Path(dir_okay=False), default=None,
              help=f"WAV looped while holding (default: {HOLD_MUSIC} when installed).")
@click.option("--answer-after", type=click.FloatRange(0, 60), default=0.0, show_default=True,
              help="Ring (180) this many seconds before answering.")
@click.option("--no-speech", is_flag=True, help="Keys only: do not listen for caller speech.")
@config_option
@click.option("--db", "db", type=click.Path(dir_okay=False), help="Records database (default: config.yaml).")
@click.option("--no-record", is_flag=True, help="Do not write call records.")
@format_option("text", "json")
@user_errors
def command(menu_files: tuple[str, ...], listen: str, default_menu: Optional[str], no_tcp: bool, max_calls: int,
            media_timeout: float, allow: tuple[str, ...], auth: Optional[str], agent_uri: Optional[str],
            agent_after: Optional[float], answer_after: float, hold_music: Optional[str], no_speech: bool, config_path: Optional[str],
            db: Optional[str], no_record: bool, fmt: str) -> None:
    """Answer SIP calls to MENU... and run each call through the menu.

    Dial sip:MENU-ID@HOST:PORT from a softphone (the request-URI's user part
    picks the menu). Keys: RFC 4733 telephone-events or SIP INFO; speech is
    recognised where the menu listens. Call events are logged one line each
    on stderr (--format json: JSON lines on stdout). SIGTERM or Ctrl-C ends
    the calls, records them and stops.
    """
    from ..records import database_path
    from ..sources import open_menu
    from ..telephony.auth import AllowList
    from ..telephony.prompts import Prompts, load_8k
    from ..telephony.server import Server, Settings
    from ..telephony.session import Options, queue_sentences

    host, port = _listen(listen)
    config = load_config(config_path)
    config["tts"]["enabled"] = True
    user, password = None, None
    if auth:
        user, _, password = auth.partition(":")
        if not user or not password:
            raise IvrError(f"--auth {auth!r} is not USER:PASSWORD", "e.g. --auth alice:s3cret")
    try:
        AllowList(list(allow))
    except ValueError as err:
        raise IvrError(f"--allow: {err}", "give networks like 127.0.0.1/32 or 10.0.0.0/8") from None
    prompts = Prompts(config)
    prompts.time_engine()
    menus = {}
    for path in menu_files:
        menu = open_menu(path, config=config)
        if menu.id in menus:
            raise IvrError(f"two menus have the id {menu.id!r}", "serve menus with distinct ids", Where(path, 0, 0))
        menus[menu.id] = menu
    default = default_menu or next(iter(menus))
    if default not in menus:
        raise IvrError(f"--default-menu {default!r} is not served", f"menus: {', '.join(menus)}")
    music = hold_music or (HOLD_MUSIC if Path(HOLD_MUSIC).is_file() else None)
    options = Options(agent_uri=agent_uri, agent_after_s=agent_after, speech=not no_speech,
                      hold_music_samples=load_8k(music) if music else None)
    from ..telephony.codecs import CODECS
    if options.hold_music_samples is not None:
        for codec in CODECS.values():
            options.hold_music(codec)
    for menu in menus.values():  # synthesise every prompt now, not during a call
        count = prompts.warm(menu, queue_sentences(menu))
        click.echo(f"{menu.id}: {count} prompts ready", err=True)
    settings = Settings(host=host, port=port, tcp=not no_tcp, max_calls=max_calls, media_timeout_s=media_timeout,
                        allow=list(allow), auth=(user, password) if auth else None,
                        db=None if no_record else database_path(config, db), fmt=fmt,
                        answer_after_s=answer_after)
    server = Server(menus, default, config, settings, options, prompts)
    try:
        asyncio.run(server.run())
    except OSError as err:
        raise IvrError(f"cannot listen on {listen}: {err.strerror or err}",
                       "pick a free port with --listen 127.0.0.1:PORT") from None
