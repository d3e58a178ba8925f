"""Work orders: created from calls, dispatched to the local union by rules,
tracked reported → accepted → assigned → supervised → feedback → closed,
with deadlines, overdue alerts and early warnings about repeated employers."""
from .rules import Rules, load_rules, rules_for_menu
from .store import advance_order, create_order, get_order, list_alerts, list_orders
from .workflow import STATES, Flow

__all__ = ["Flow", "Rules", "STATES", "advance_order", "create_order", "get_order", "list_alerts",
           "list_orders", "load_rules", "rules_for_menu"]
