"""The local process pool: results in order, one pool for every stage, replaced when it breaks."""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from pipeline.engine import local


def pid_of(_: int) -> int:
    return os.getpid()


def negate(unit: int) -> int:
    return -unit


def die_on_three(unit: int) -> int:
    if unit == 3:
        os._exit(137)
    return unit


def test_results_come_back_in_input_order():
    assert list(local.map_ordered(negate, range(50), workers=2)) == [-u for u in range(50)]


def test_later_calls_reuse_the_started_workers():
    first = set(local.map_ordered(pid_of, range(20), workers=2))
    second = set(local.map_ordered(pid_of, range(20), workers=2))
    assert os.getpid() not in first and second <= first


def test_a_broken_pool_is_replaced_on_the_next_call():
    before = set(local.map_ordered(pid_of, range(20), workers=2))
    with pytest.raises(BrokenProcessPool):
        list(local.map_ordered(die_on_three, range(6), workers=2))
    after = set(local.map_ordered(pid_of, range(20), workers=2))
    assert after and not after & before


def test_a_caller_that_stops_early_leaves_the_pool_usable():
    results = local.map_ordered(negate, range(100), workers=2)
    assert next(results) == 0
    results.close()
    assert list(local.map_ordered(negate, range(5), workers=2)) == [0, -1, -2, -3, -4]
