"""The guarded map with deliberately misbehaving functions: the only way to make an item hang or kill."""

import os
import signal
import sys
import time
import types

import pytest

from pipeline.engine.guarded import TIME_LIMIT_SIGNAL, Failure, Guard, WorkerStartError, map_guarded

# Limits in CPU seconds: items that stall burn CPU, every other item needs microseconds of it, so no
# amount of load on the machine moves an item from one side to the other. The wall-clock backstop
# stays at its default (two minutes), far above what the stalling items need even on a crowded machine.
GUARD = Guard(time_limit_s=1.0, grace_s=1.0)


def square_or_misbehave(item: int) -> int:
    if item == 13:
        raise ValueError("unlucky")
    if item == 21:  # pure-Python loop: the soft limit's signal lands
        while True:
            pass
    if item == 34:  # signal blocked, as in native code that never returns: only the hard limit ends it
        signal.pthread_sigmask(signal.SIG_BLOCK, {TIME_LIMIT_SIGNAL})
        while True:
            pass
    if item == 144:  # hangs without using the CPU (a lock that is never released): the wall backstop
        time.sleep(600)
    if item == 55:
        os.kill(os.getpid(), signal.SIGKILL)
    if item == 89:
        return len(bytearray(2**40))
    return item * item


def on_failure(item: int, failure: Failure) -> tuple[int, str, str]:
    return item, failure.kind, failure.message


def run(items, workers=2, batch_size=4, guard=GUARD):
    return list(
        map_guarded(
            square_or_misbehave,
            items,
            workers=workers,
            batch_size=batch_size,
            guard=guard,
            on_failure=on_failure,
        )
    )


def test_results_come_back_in_input_order_whatever_the_worker_count():
    items = [i for i in range(40) if i not in (13, 21, 34, 55, 89)]
    assert run(items, workers=1) == run(items, workers=2, batch_size=3) == [i * i for i in items]


def test_an_exception_fails_only_its_item():
    assert run([12, 13, 14]) == [144, (13, "exception", "ValueError: unlucky"), 196]


def test_soft_time_limit_fails_the_item_and_the_worker_goes_on():
    assert run([20, 21, 22]) == [
        400,
        (21, "time_limit", "used more than the time limit of 1 s of CPU time"),
        484,
    ]


def test_hard_time_limit_ends_a_worker_the_signal_cannot_reach():
    result = run([33, 34, 35, 36], batch_size=4)
    assert result[0] == 33 * 33 and result[2:] == [35 * 35, 36 * 36]
    assert result[1] == (34, "time_limit", "worker stopped at the hard time limit of 2 s of CPU time")


def test_an_item_that_hangs_without_using_the_cpu_is_stopped_by_the_wall_clock_backstop():
    # 5 s of wall clock: the sleeping item needs no CPU, the others microseconds of it.
    result = run([143, 144, 145], batch_size=3, guard=Guard(time_limit_s=1.0, grace_s=1.0, wall_limit_s=5.0))
    assert result[0] == 143 * 143 and result[2] == 145 * 145
    assert result[1] == (144, "time_limit", "worker stopped after 5 s (wall clock) without finishing")


def test_the_wall_clock_backstop_is_far_above_the_cpu_limits_by_default():
    assert Guard(time_limit_s=30.0).wall_backstop_s == 400.0
    assert Guard(time_limit_s=1.0, grace_s=1.0).wall_backstop_s == 120.0


def test_a_killed_worker_is_replaced_and_only_its_item_fails():
    items = list(range(50, 62))
    result = run(items, batch_size=3)
    assert result[5] == (55, "worker_died", "worker process killed by SIGKILL (out of memory?)")
    assert [r for i, r in enumerate(result) if i != 5] == [i * i for i in items if i != 55]


def test_memory_cap_turns_a_blow_up_into_a_failure():
    result = run([88, 89, 90], guard=Guard(time_limit_s=5.0, memory_limit_mb=1024))
    assert result == [88 * 88, (89, "memory_limit", "needed more than the memory limit of 1024 MB"), 90 * 90]


def test_workers_that_cannot_start_stop_the_run():
    # A function the workers cannot import: every worker dies before its first item, so failing
    # item after item would only hide the problem.
    ghost = types.ModuleType("sift_ghost_module")
    exec("def double(item):\n    return 2 * item\n", ghost.__dict__)
    sys.modules[ghost.__name__] = ghost
    try:
        with pytest.raises(WorkerStartError):
            list(
                map_guarded(ghost.double, [1, 2], workers=1, batch_size=1, guard=GUARD, on_failure=on_failure)
            )
    finally:
        del sys.modules[ghost.__name__]
