"""Epoch orders drawn ahead by the helper process are each generator's own permutations, epoch after epoch."""

from __future__ import annotations

import mmap
import os
import signal
import subprocess
import sys
import threading

import numpy as np
import pytest

import gd_core
from gd_core import epoch_orders
from gd_core.samplers import Sampler

needs_helper = pytest.mark.skipif(not epoch_orders._shares_memory(), reason="the helper process needs Linux memfds")


@pytest.fixture
def helper(monkeypatch):
    """A helper process of the test's own, ready; draws ahead from 400 indices an epoch (so small tests use it)."""
    monkeypatch.setattr(epoch_orders, "_the_helper", [])
    monkeypatch.setattr(epoch_orders, "AHEAD_INDICES", 400)
    monkeypatch.setattr(epoch_orders, "_cores", lambda: 2)
    assert epoch_orders.start(wait=30.0)
    yield epoch_orders._the_helper[0]
    epoch_orders._the_helper[0].close()


def drawn_here(monkeypatch) -> list:
    """Record each epoch drawn on this side (by permute_rows) rather than by the helper process."""
    calls, permute = [], epoch_orders.permute_rows

    def counted(order, rngs):
        calls.append(order.shape)
        permute(order, rngs)

    monkeypatch.setattr(epoch_orders, "permute_rows", counted)
    return calls


def generators(seeds=range(9)):
    return [np.random.default_rng(seed) for seed in seeds]


def asked_of(helper, monkeypatch) -> list:
    """Record each request to the helper process: (the buffer's half, the first row it draws)."""
    asked, ask = [], helper.ask
    monkeypatch.setattr(helper, "ask", lambda request: asked.append(request[2:5:2]) or ask(request))
    return asked


@needs_helper
def test_the_helper_draws_each_generators_next_permutation(helper, monkeypatch):
    here, asked = drawn_here(monkeypatch), asked_of(helper, monkeypatch)
    rngs, lone = generators(), generators()
    orders = epoch_orders.EpochOrders(rngs, 50)
    for _ in range(5):
        assert np.array_equal(orders.next(), [rng.permutation(50) for rng in lone])
    assert here == []  # nothing on a thread of this process
    # the first epoch: rows 4 to 8 drawn by the process while rows 0 to 3 are drawn here; each later one drawn
    # ahead by the process, into the half this epoch does not use
    assert asked == [(0, 4), (1, 0), (0, 0), (1, 0), (0, 0), (1, 0)]
    assert [rng.bit_generator.state for rng in rngs] == [rng.bit_generator.state for rng in lone]


@needs_helper
def test_no_epoch_is_drawn_ahead_past_the_last(helper, monkeypatch):
    asked = asked_of(helper, monkeypatch)
    orders = epoch_orders.EpochOrders(generators(), 50, epochs=3)
    for _ in range(3):
        orders.next()
    assert asked == [(0, 4), (1, 0), (0, 0)]  # the first epoch's rows 4 to 8, then the second and third epochs


@needs_helper
@pytest.mark.parametrize("switch", ["replacement", "stochastic"])
def test_a_sampler_that_changes_how_it_samples_draws_as_lone_samplers_do(helper, switch):
    """A draw ahead was made from states the generators leave when they draw something else: it is dropped."""
    group = Sampler(60, "minibatch", 8, "shuffle", generators())
    lone = [Sampler(60, "minibatch", 8, "shuffle", rng) for rng in generators()]
    for step in range(40):
        if step == 12:  # mid-way through the second epoch, its next one drawn ahead
            for sampler in [group, *lone]:
                sampler.configure(*(("minibatch", 8, "replacement") if switch == "replacement"
                                    else ("stochastic", 8, "shuffle")))
        if step == 25:
            for sampler in [group, *lone]:
                sampler.configure("minibatch", 8, "shuffle")
        assert np.array_equal(group.next_indices(), [sampler.next_indices() for sampler in lone]), step


@needs_helper
def test_a_helper_that_dies_leaves_the_epochs_to_this_side(monkeypatch):
    monkeypatch.setattr(epoch_orders, "_the_helper", [])
    monkeypatch.setattr(epoch_orders, "AHEAD_INDICES", 400)
    monkeypatch.setattr(epoch_orders, "_cores", lambda: 2)
    assert epoch_orders.start(wait=30.0)
    rngs, lone = generators(), generators()
    orders = epoch_orders.EpochOrders(rngs, 50)
    orders.next(), [rng.permutation(50) for rng in lone]  # the second epoch is asked of the helper
    epoch_orders._the_helper[0]._process.kill()
    for _ in range(3):
        assert np.array_equal(orders.next(), [rng.permutation(50) for rng in lone])
    assert epoch_orders._the_helper[0].failed and epoch_orders._helper() is None


@needs_helper
def test_the_helper_writes_only_into_the_memory_it_was_asked_to():
    """A memfd number the parent closed may name another file by the time the helper opens it: the name is
    checked before anything is written."""
    fd = os.memfd_create("gd_core-epochs-theirs")
    try:
        os.ftruncate(fd, 2 * 9 * 50 * 8)
        memory = np.frombuffer(mmap.mmap(fd, 2 * 9 * 50 * 8), dtype=np.intp).reshape(2, 9, 50)
        states = [rng.bit_generator.state for rng in generators()]
        assert epoch_orders._draw_into(os.getpid(), fd, "gd_core-epochs-mine", 1, (9, 50), 0, states) is None
        assert not memory.any()
        lone = generators()
        assert epoch_orders._draw_into(os.getpid(), fd, "gd_core-epochs-theirs", 1, (9, 50), 0, states) is not None
        assert np.array_equal(memory[1], [rng.permutation(50) for rng in lone]) and not memory[0].any()
    finally:
        os.close(fd)
        epoch_orders._maps.clear()



@needs_helper
def test_the_helper_lets_go_of_memory_its_parent_closed(monkeypatch):
    """The helper kept the last four memories it drew into mapped, whether the parent had closed them or not: four
    finished groups' epochs held in memory (up to 1 GiB). One the parent has closed is let go as another is mapped;
    one still open stays."""
    monkeypatch.setattr(epoch_orders, "_maps", {})
    names = ["gd_core-epochs-done", "gd_core-epochs-open", "gd_core-epochs-new"]
    fds = {}
    try:
        for name in names:
            fds[name] = os.memfd_create(name)
            os.ftruncate(fds[name], 2 * 9 * 50 * 8)
            assert epoch_orders._mapped(os.getpid(), fds[name], name) is not None
            if name == names[0]:
                os.close(fds.pop(name))  # its group is done (the next memfd takes its number)
        assert list(epoch_orders._maps) == names[1:]
    finally:
        for fd in fds.values():
            os.close(fd)

@needs_helper
def test_groups_in_two_threads_share_the_helper(helper):
    configs = [{"problem": "linear_regression", "data": {"name": "linear", "n_samples": 100}, "batch_size": 10,
                "steps": 45, "seed": seed, "optimizer": {"name": "adam", "lr": 0.01 * (1 + seed)}} for seed in range(8)]
    results = {}

    def run_many(key, configs):
        results[key] = gd_core.run_many(configs)

    threads = [threading.Thread(target=run_many, args=(key, configs[key::2])) for key in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for key in range(2):
        for history, config in zip(results[key], configs[key::2]):
            np.testing.assert_allclose(history.params, gd_core.run(config).params, rtol=1e-12, atol=1e-14)



@needs_helper
def test_two_groups_of_thousands_of_runs_share_the_helper(helper):
    """A request or an answer for 2,000 runs is longer than a pipe holds: the second group's request is written
    while the helper writes the first group's answer (it reads no request meanwhile) - the old code waited forever."""
    runs, n = 2000, 1000
    rngs = [generators(range(k * runs, (k + 1) * runs)) for k in range(2)]
    lone = [generators(range(k * runs, (k + 1) * runs)) for k in range(2)]
    orders = [epoch_orders.EpochOrders(group, n) for group in rngs]
    drawn = []
    stepping = threading.Thread(target=lambda: drawn.extend(o.next().copy() for _ in range(2) for o in orders),
                                daemon=True)
    stepping.start()
    stepping.join(timeout=60)
    assert not stepping.is_alive(), "the groups wait on the helper forever"
    for epoch in range(2):
        for k in range(2):
            assert np.array_equal(drawn[2 * epoch + k], [rng.permutation(n) for rng in lone[k]])
    assert not helper.failed


@needs_helper
def test_a_forked_child_draws_with_helpers_of_its_own(helper):
    """A child forked after its parent started the helper (a multiprocessing pool, say) used the parent's helper,
    its pipes and its ticket numbers: the two processes' requests mixed in one pipe. The parent's permuting thread
    is not in the child: a draw given to it waited forever."""
    epoch_orders.permute_rows(np.empty((9, 50), dtype=np.intp), generators())  # on two threads (450 indices)
    child = os.fork()
    if child == 0:  # the child: exit code 0 if it drew with helpers of its own, and drew right
        code = 1
        try:
            signal.alarm(30)  # (a draw waiting forever ends the child)
            rngs, lone = generators(), generators()
            order = np.empty((9, 50), dtype=np.intp)
            epoch_orders.permute_rows(order, rngs)
            right = np.array_equal(order, [rng.permutation(50) for rng in lone])
            orders = epoch_orders.EpochOrders(rngs, 50)
            right &= all(np.array_equal(orders.next(), [rng.permutation(50) for rng in lone]) for _ in range(3))
            code = 0 if right and epoch_orders._helper() not in (None, helper) else 1
        finally:
            os._exit(code)
    assert os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == 0
    rngs, lone = generators(), generators()
    orders = epoch_orders.EpochOrders(rngs, 50)
    for _ in range(3):
        assert np.array_equal(orders.next(), [rng.permutation(50) for rng in lone])
    assert not helper.failed and epoch_orders._helper() is helper


def test_a_large_group_with_a_seed_each_equals_its_lone_runs():
    """64 x 10,000 indices an epoch: drawn ahead by the helper process where there is one."""
    configs = [{"problem": "linear_regression", "data": {"name": "linear", "n_samples": 10_000}, "batch_size": 100,
                "steps": 350, "seed": seed, "optimizer": {"name": "adam", "lr": 0.01}} for seed in range(64)]
    histories = gd_core.run_many(configs)
    for history, config in list(zip(histories, configs))[::9]:
        np.testing.assert_allclose(history.params, gd_core.run(config).params, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("runs, n, shared", [(9, 40, False), (9, 50, True), (9, 100, False)])
@needs_helper
def test_only_epochs_of_a_middling_size_are_drawn_ahead(helper, monkeypatch, runs, n, shared):
    """Below AHEAD_INDICES the hand-off costs more than the draw; above AHEAD_INDICES_AT_MOST the second buffer
    would take too much memory."""
    monkeypatch.setattr(epoch_orders, "AHEAD_INDICES_AT_MOST", 450)
    orders = epoch_orders.EpochOrders(generators(), n)
    orders.next()
    assert (orders._memory is not None) == shared


def test_the_helper_ends_quietly_when_its_parent_is_gone():
    """A sweep worker stopped mid-way is killed: its helper finds its pipes closed and ends, saying nothing (its
    stderr is the sweep worker's)."""
    process = subprocess.Popen([sys.executable, "-c", epoch_orders._SERVE], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert epoch_orders._receive(process.stdout.fileno()) == (None, None)  # hello
    process.stdout.close()  # the parent's reading end gone: the answer cannot be written
    epoch_orders._send(process.stdin.fileno(), (0, 99, "gd_core-epochs-gone", 0, (2, 5), 0, []))
    process.stdin.close()
    assert process.wait(timeout=30) == 0 and process.stderr.read() == b""


def test_where_no_memory_can_be_shared_each_epoch_is_drawn_where_it_starts(monkeypatch):
    """Not Linux (no memfd): no helper process; the epochs are drawn by permute_rows, the same numbers."""
    monkeypatch.setattr(epoch_orders, "_the_helper", [])
    monkeypatch.setattr(epoch_orders, "_shares_memory", lambda: False)
    monkeypatch.setattr(epoch_orders, "AHEAD_INDICES", 400)
    here = drawn_here(monkeypatch)
    orders, lone = epoch_orders.EpochOrders(generators(), 50), generators()
    for _ in range(3):
        assert np.array_equal(orders.next(), [rng.permutation(50) for rng in lone])
    assert here == [(9, 50)] * 3 and epoch_orders._the_helper == []
