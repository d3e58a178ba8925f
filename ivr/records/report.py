"""What the call records say: time to a person, abandonment by node, top
reasons, hot spots by region and category, work orders and alerts."""
from __future__ import annotations

import json
import sqlite3
from typing import Optional

import numpy as np
from jinja2 import Environment, PackageLoader, select_autoescape

from ..orders import list_alerts, list_orders
from ..telephony.records import recent_sip_calls

ABANDONED = ("abandoned_menu", "abandoned_queue", "caller_hangup")
PERCENTILES = (50, 80, 90, 95, 99)


def build_report(conn: sqlite3.Connection, source: Optional[str] = None,
                 menu: Optional[str] = None) -> dict:
    where, args = [], []
    if source:
        where.append("source = ?")
        args.append(source)
    if menu:
        where.append("menu = ?")
        args.append(menu)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    rows = conn.execute(f"SELECT outcome, end_node, time_to_human_s, category, region, source, menu "
                        f"FROM calls{clause}", args).fetchall()
    times = np.array([r["time_to_human_s"] for r in rows if r["time_to_human_s"] is not None])
    count = lambda items: sorted(_tally(items).items(), key=lambda kv: (-kv[1], str(kv[0])))  # noqa: E731
    orders = [o for o in list_orders(conn) if not menu or o["menu"] == menu]
    runs = [dict(r) for r in conn.execute(
        "SELECT id, recorded_at, menu, calls, seed, summary FROM simulation_runs"
        + (" WHERE menu = ?" if menu else "") + " ORDER BY id DESC LIMIT 5", (menu,) if menu else ())]
    for run in runs:
        s = json.loads(run.pop("summary"))
        run.update(time_to_human_s=s["time_to_human_s"], abandonment_rate=s["abandonment"]["rate"],
                   service_level=s["service_level"])
    return {
        "filters": {"source": source, "menu": menu},
        "calls": len(rows),
        "by_source": dict(count(r["source"] for r in rows)),
        "outcomes": dict(count(r["outcome"] for r in rows)),
        "time_to_human_s": {
            "calls": int(len(times)),
            **({f"p{p}": round(float(q), 1) for p, q in zip(PERCENTILES, np.percentile(times, PERCENTILES))}
               | {"mean": round(float(times.mean()), 1)} if len(times) else {}),
            "histogram": _histogram(times),
        },
        "abandonment_by_node": [{"node": n, "calls": c} for n, c in
                                count(r["end_node"] for r in rows if r["outcome"] in ABANDONED)],
        "top_reasons": [{"reason": n, "calls": c} for n, c in
                        count(r["category"] or r["end_node"] for r in rows
                              if r["outcome"] not in ABANDONED)[:10]],
        "hot_spots": [{"region": k[0], "category": k[1], "orders": c} for k, c in
                      count((o["region"] or "-", o["category"]) for o in orders)[:10]],
        "orders": {"total": len(orders), "by_state": dict(count(o["state"] for o in orders)),
                   "overdue": [o["id"] for o in orders if o["overdue"]]},
        "alerts": list_alerts(conn),
        "simulation_runs": runs,
        "sip_calls": recent_sip_calls(conn, menu=menu),
    }


def _tally(items) -> dict:
    out: dict = {}
    for item in items:
        out[item] = out.get(item, 0) + 1
    return out


def _histogram(times: np.ndarray) -> list[dict]:
    """Calls reaching a person per time band (seconds)."""
    edges = [0, 30, 60, 120, 300, 600, np.inf]
    counts, _ = np.histogram(times, bins=edges)
    labels = ["<30 s", "30-60 s", "1-2 min", "2-5 min", "5-10 min", ">10 min"]
    return [{"band": b, "calls": int(c)} for b, c in zip(labels, counts)]


def render_html(report: dict) -> str:
    env = Environment(loader=PackageLoader("ivr", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    return env.get_template("report.html.j2").render(r=report)


def render_text(r: dict) -> str:
    t = r["time_to_human_s"]
    lines = [f"{r['calls']} calls recorded ({', '.join(f'{k} {v}' for k, v in r['by_source'].items()) or 'none'})",
             "outcomes: " + (", ".join(f"{k} {v}" for k, v in r["outcomes"].items()) or "-")]
    if t["calls"]:
        lines.append(f"time to a person ({t['calls']} calls): " +
                     ", ".join(f"{k} {t[k]} s" for k in ("p50", "p80", "p90", "p95", "p99", "mean")))
        lines += [f"  {h['band']:<9} {h['calls']}" for h in t["histogram"]]
    lines.append("abandonment by node:")
    lines += [f"  {a['node']:<20} {a['calls']}" for a in r["abandonment_by_node"][:10]] or ["  none"]
    lines.append("top reasons:")
    lines += [f"  {a['reason']:<20} {a['calls']}" for a in r["top_reasons"]] or ["  none"]
    lines.append("hot spots (work orders by region and category):")
    lines += [f"  {h['region']:<6} {h['category']:<16} {h['orders']}" for h in r["hot_spots"]] or ["  none"]
    o = r["orders"]
    lines.append(f"work orders: {o['total']} ({', '.join(f'{k} {v}' for k, v in o['by_state'].items()) or '-'}), "
                 f"{len(o['overdue'])} overdue")
    lines += [f"EARLY WARNING: {a['count']} cases about {a['label']} (orders {a['order_ids']})"
              for a in r["alerts"]]
    for run in r["simulation_runs"]:
        lines.append(f"simulation #{run['id']} {run['menu']}: {run['calls']} calls, seed {run['seed']}, "
                     f"abandonment {run['abandonment_rate']:.1%}, service level {run['service_level']}")
    if r.get("sip_calls"):
        lines.append("recent SIP calls (ivr serve):")
        lines += [f"  #{c['id']} {c['menu']} {c['outcome']} at {c['end_node']} ({c['end_reason']}, "
                  f"{c['real_duration_s']} s, {c['codec']}, keys by {'+'.join(c['dtmf_methods']) or '-'}) "
                  f"from {c['remote_uri']} Call-ID {c['sip_call_id']}: {' > '.join(c['path'])}"
                  for c in r["sip_calls"]]
    return "\n".join(lines)
