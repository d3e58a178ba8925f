"""Human queues: the Erlang C wait-time model and a menu + queue simulator."""
from .erlang import agents_needed, erlang_a, erlang_b, erlang_c

__all__ = ["agents_needed", "erlang_a", "erlang_b", "erlang_c"]
