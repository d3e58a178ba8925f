"""Saving a finished call: its record and, when it reached a work_order node,
the work orders it created, all in one transaction."""
from __future__ import annotations

from ..model import Menu
from ..orders import create_order, rules_for_menu
from .store import INSERT, _row, connect, summarise_call


def save_call(db_path: str, menu: Menu, call: dict, config: dict, source: str = "call",
              now=None) -> dict:
    """Write `call` (Call.to_dict()) and its work orders; returns
    {"call_id", "orders": [...], "alerts": [...]}."""
    rec = summarise_call(call)
    conn = connect(db_path)
    try:
        rules = None
        orders, alerts = [], []
        with conn:  # one transaction: a killed process loses this call only
            call_id = conn.execute(INSERT, _row(rec, source, None)).lastrowid
            for event in call.get("events", []):
                if event["type"] != "work_order":
                    continue
                rules = rules or rules_for_menu(menu.source, menu.id, config)
                order = create_order(conn, rules, event.get("category", ""), dict(event.get("facts", {})),
                                     said=list(event.get("said", [])), region=rec.region,
                                     call_id=call_id, menu=menu.id, now=now)
                orders.append(order)
                if order.get("alert"):
                    alerts.append(order["alert"])
        return {"call_id": call_id, "orders": orders, "alerts": alerts}
    finally:
        conn.close()


def describe_saved(saved: dict, db_path: str) -> list[str]:
    """Lines for stderr after a call was saved."""
    lines = [f"recorded call #{saved['call_id']} in {db_path}"]
    for order in saved["orders"]:
        lines.append(f"work order #{order['id']} ({order['category']}) dispatched to "
                     f"{order['union_name']}, due {order['due_at']}")
    for alert in saved["alerts"]:
        lines.append(f"EARLY WARNING: {alert['count']} cases about {alert['employer']} within "
                     f"{alert['window_days']:g} days (orders {alert['order_ids']})")
    return lines
