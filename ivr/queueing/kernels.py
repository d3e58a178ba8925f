"""The two compiled inner loops of the simulator (numba): a caller walking the
menu, and one first-come-first-served agent queue with impatient callers.

They work on plain arrays (see ivr.queueing.simulate for how a Menu becomes
arrays) so numba can compile them; `cache=True` keeps the machine code in
__pycache__ so only the first run on a machine pays the compile time.
"""
from __future__ import annotations

import numpy as np
from numba import njit

# node kinds, as small integers for the compiled walk
MENU, ANNOUNCEMENT, INPUT, SELF_SERVICE, HUMAN, WORK_ORDER, HANGUP, GOTO, UNKNOWN, ASK_KB = range(10)
# special targets once compiled (node targets are indices >= 0)
T_HANGUP, T_BACK, T_REPEAT, T_DEAD = -1, -2, -3, -4
# how a walk ended
OUTCOMES = ("human", "hangup", "self_served", "work_order", "abandoned_menu", "loop", "dead_end")
O_HUMAN, O_HANGUP, O_SELF, O_ORDER, O_ABANDON, O_LOOP, O_DEAD = range(7)
# how a queue visit ended
ANSWERED, ABANDONED, CALLBACK = 0, 1, 2


@njit(cache=True)
def walk_menu(seed, calls, start, kind, prompt_s, timeout_s, next_t, opt_lo, opt_hi,
              opt_target, opt_cumw, ni_retries, ni_then, nm_retries, nm_then, human_cmd,
              priority_to, priority_share, menu_patience_s, p_zero_out, p_no_input,
              p_no_match, reaction_s, input_s, done_after_answer, max_steps, kb_answered, kb_answer_s):
    """Walk `calls` callers through the menu. Returns per caller the outcome
    code, the node where the walk ended, and the seconds spent in the menu.
    At an ASK_KB node (self_service with a knowledge base) the caller asks a
    question: answered with probability `kb_answered` (then as self_service),
    else put through to a person."""
    np.random.seed(seed)
    outcome = np.empty(calls, np.int8)
    end_node = np.empty(calls, np.int32)
    menu_time = np.empty(calls, np.float64)
    history = np.empty(max_steps + 1, np.int32)
    for i in range(calls):
        node = start
        if priority_to >= 0 and np.random.random() < priority_share:
            node = priority_to
        patience = -menu_patience_s * np.log(1.0 - np.random.random())
        t = 0.0
        depth = 0
        no_input = 0
        no_match = 0
        result = O_LOOP
        for _ in range(max_steps):
            k = kind[node]
            if k == HUMAN:
                result = O_HUMAN
                break
            t += prompt_s[node]
            if t > patience:
                t = patience
                result = O_ABANDON
                break
            if k == HANGUP:
                result = O_HANGUP
                break
            if k == UNKNOWN:
                result = O_DEAD
                break
            if k == MENU:
                r = np.random.random()
                if human_cmd[node] >= 0 and r < p_zero_out:
                    t += reaction_s
                    target = human_cmd[node]
                elif r < p_zero_out + p_no_input:
                    t += timeout_s[node]
                    no_input += 1
                    target = ni_then[node] if no_input > ni_retries[node] else T_REPEAT
                elif r < p_zero_out + p_no_input + p_no_match:
                    t += reaction_s
                    no_match += 1
                    target = nm_then[node] if no_match > nm_retries[node] else T_REPEAT
                else:
                    t += reaction_s
                    target = T_DEAD
                    u = np.random.random() * opt_cumw[opt_hi[node] - 1] if opt_hi[node] > opt_lo[node] else 0.0
                    for j in range(opt_lo[node], opt_hi[node]):
                        if u < opt_cumw[j]:
                            target = opt_target[j]
                            break
            elif k == INPUT:
                t += reaction_s + input_s
                target = next_t[node]
            elif k == ASK_KB:
                if np.random.random() >= kb_answered:
                    t += reaction_s
                    target = human_cmd[node] if human_cmd[node] >= 0 else ni_then[node]
                else:
                    t += reaction_s + kb_answer_s
                    if np.random.random() < done_after_answer:
                        result = O_SELF
                        break
                    target = next_t[node]
            else:  # announcement, self_service, work_order, goto
                if (k == SELF_SERVICE or k == WORK_ORDER) and np.random.random() < done_after_answer:
                    result = O_SELF if k == SELF_SERVICE else O_ORDER
                    break
                target = next_t[node]
            if t > patience:
                t = patience
                result = O_ABANDON
                break
            if target == T_REPEAT:
                continue
            if target == T_HANGUP:
                result = O_HANGUP if k != SELF_SERVICE else O_SELF
                if k == WORK_ORDER:
                    result = O_ORDER
                break
            if target == T_DEAD:
                result = O_DEAD
                break
            if target == T_BACK:
                if depth == 0:
                    result = O_DEAD
                    break
                depth -= 1
                node = history[depth]
            else:
                history[depth] = node
                depth += 1
                node = target
            no_input = 0
            no_match = 0
        outcome[i] = result
        end_node[i] = node
        menu_time[i] = t
    return outcome, end_node, menu_time


@njit(cache=True)
def fcfs_queue(entry, service, patience, agents, callback_after_s, callback_u, callback_accept):
    """One queue, `agents` agents, first come first served, callers who hang
    up when their wait would exceed their patience (Erlang A behaviour).
    `entry` must be sorted. A caller whose expected wait exceeds
    `callback_after_s` takes a call-back with probability `callback_accept`:
    they keep their place but leave the line. Returns per caller the wait
    (or time to hang-up), the status (ANSWERED, ABANDONED, CALLBACK) and the
    total agent busy seconds.

    Agents' next free times are a binary min-heap in `free`: the caller at
    the head of the line always takes the agent who frees first."""
    n = entry.shape[0]
    free = np.zeros(agents)
    wait = np.empty(n)
    status = np.empty(n, np.int8)
    busy = 0.0
    for i in range(n):
        vw = free[0] - entry[i]
        if vw < 0.0:
            vw = 0.0
        if vw > callback_after_s and callback_u[i] < callback_accept:
            status[i] = CALLBACK
        elif vw > patience[i]:
            status[i] = ABANDONED
            wait[i] = patience[i]
            continue
        else:
            status[i] = ANSWERED
        wait[i] = vw
        busy += service[i]
        # replace the heap's top with this agent's new free time, sift down
        value = entry[i] + vw + service[i]
        pos = 0
        while True:
            child = 2 * pos + 1
            if child >= agents:
                break
            if child + 1 < agents and free[child + 1] < free[child]:
                child += 1
            if free[child] >= value:
                break
            free[pos] = free[child]
            pos = child
        free[pos] = value
    return wait, status, busy
