"""The life of a work order: reported → accepted → assigned → supervised →
feedback → closed, on the `transitions` library. Only the next step is
allowed; anything else is refused with a message that says what is allowed."""
from __future__ import annotations

from transitions import Machine, MachineError

from ..errors import IvrError

# reported: created from a call, waiting for the local union to accept it; accepted: the union
# took the case; assigned: a case worker has it; supervised: the higher-level union oversees it;
# feedback: the caller was told the result and answered; closed: done.
STATES = ("reported", "accepted", "assigned", "supervised", "feedback", "closed")


class Flow:
    """State machine for one order; `state` is the current state."""

    def __init__(self, order_id: int, state: str):
        if state not in STATES:
            raise IvrError(f"work order {order_id} has unknown state {state!r}",
                           f"states are {', '.join(STATES)}")
        self.order_id = order_id
        self.machine = Machine(model=self, states=list(STATES), initial=state,
                               auto_transitions=False, ignore_invalid_triggers=False,
                               transitions=[{"trigger": f"to_{b}", "source": a, "dest": b}
                                            for a, b in zip(STATES, STATES[1:])])

    def next_state(self) -> str | None:
        i = STATES.index(self.state)
        return STATES[i + 1] if i + 1 < len(STATES) else None

    def move(self, dest: str | None = None) -> str:
        """Go to `dest` (default: the next state); refuse anything else."""
        nxt = self.next_state()
        if nxt is None:
            raise IvrError(f"work order {self.order_id} is closed; it cannot move again",
                           "a closed order stays closed; a new call creates a new order")
        dest = dest or nxt
        if dest not in STATES:
            raise IvrError(f"{dest!r} is not a work-order state",
                           f"states are {' → '.join(STATES)}")
        try:  # no event leads back to the first state: `to_reported` does not exist at all
            self.trigger(f"to_{dest}")
        except (MachineError, AttributeError):
            raise IvrError(
                f"work order {self.order_id} is {self.state!r}; it cannot go to {dest!r}",
                f"the next step is {nxt!r} (orders go {' → '.join(STATES)}, one step at a time): "
                f"ivr orders advance {self.order_id}") from None
        return self.state
