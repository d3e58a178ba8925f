"""`ivr orders`: work orders created by calls — list, show, advance, alerts."""
from __future__ import annotations

from typing import Optional

import click

from ..config import load_config
from ..orders import STATES, advance_order, get_order, list_alerts, list_orders
from ..records import connect, database_path
from .common import EXIT_FINDINGS, config_option, format_option, print_json, user_errors


def _db(func):
    func = config_option(func)
    return click.option("--db", "db", type=click.Path(dir_okay=False),
                        help="SQLite records file (default: `database` in config.yaml).")(func)


def _open(db: Optional[str], config_path: Optional[str]):
    return connect(database_path(load_config(config_path), db), create=False)


def _line(o: dict) -> str:
    flag = "  OVERDUE" if o["overdue"] else ""
    who = o["employer"] or "-"
    return (f"#{o['id']:<5} {o['state']:<10} {o['category']:<14} {o['region'] or '-':<6} "
            f"{who:<20} -> {o['union_name']}  due {o['due_at'] or '-'}{flag}")


@click.group("orders")
def command() -> None:
    """Work orders from calls: reported → accepted → assigned → supervised → feedback → closed."""


@command.command("list")
@click.option("--state", type=click.Choice(STATES), help="Only orders in this state.")
@click.option("--overdue", is_flag=True, help="Only orders past their deadline (exit 1 if any).")
@_db
@format_option("text", "json")
@user_errors
def list_cmd(state: Optional[str], overdue: bool, db: Optional[str], config_path: Optional[str],
             fmt: str) -> None:
    """List work orders, oldest first."""
    orders = list_orders(_open(db, config_path), state, overdue)
    if fmt == "json":
        print_json(orders)
    else:
        for o in orders:
            click.echo(_line(o))
        late = sum(o["overdue"] for o in orders)
        click.echo(f"{len(orders)} work orders, {late} overdue", err=True)
    if overdue and orders:
        raise SystemExit(EXIT_FINDINGS)


@command.command("show")
@click.argument("order_id", type=int)
@_db
@format_option("text", "json")
@user_errors
def show_cmd(order_id: int, db: Optional[str], config_path: Optional[str], fmt: str) -> None:
    """Everything about one work order, with its history."""
    o = get_order(_open(db, config_path), order_id)
    if fmt == "json":
        print_json(o)
        return
    click.echo(_line(o))
    click.echo(f"created {o['created_at']} from call #{o['call_id']} on {o['menu']}")
    for key, value in o["facts"].items():
        click.echo(f"  {key}: {value}")
    if o["said"]:
        click.echo(f"  caller said: {' / '.join(o['said'])}")
    for step in o["history"]:
        click.echo(f"  {step['at']}  {step['state']:<10} {step['note']}")


@command.command("advance")
@click.argument("order_id", type=int)
@click.option("--to", "to", type=click.Choice(STATES), help="Target state (must be the next one).")
@click.option("--note", default="", help="What was done, for the history.")
@_db
@format_option("text", "json")
@user_errors
def advance_cmd(order_id: int, to: Optional[str], note: str, db: Optional[str],
                config_path: Optional[str], fmt: str) -> None:
    """Move a work order to its next state; skipping or going back is refused."""
    o = advance_order(_open(db, config_path), order_id, to, note)
    if fmt == "json":
        print_json(o)
    else:
        click.echo(_line(o))


@command.command("alerts")
@_db
@format_option("text", "json")
@user_errors
def alerts_cmd(db: Optional[str], config_path: Optional[str], fmt: str) -> None:
    """Early warnings: many cases about the same employer within a short window."""
    alerts = list_alerts(_open(db, config_path))
    if fmt == "json":
        print_json(alerts)
    else:
        for a in alerts:
            click.echo(f"{a['updated_at']}  {a['count']} cases about {a['label']} (orders {a['order_ids']})")
        click.echo(f"{len(alerts)} alerts", err=True)
