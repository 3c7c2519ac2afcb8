"""Each epoch's sample order for R runs that draw apart, drawn a whole epoch ahead by a helper process.

R runs with a seed each (:class:`gd_core.many.TrainerGroup`) start each epoch with R permutations of their n samples:
row r is ``rngs[r].permutation(n)``, exactly as a lone run's sampler draws it. Each costs ~9 ns an index (64 runs,
n = 10,000: ~6 ms an epoch, a third of the group's time). :class:`EpochOrders` has a helper process draw epoch e + 1
while the runs step through epoch e: it sends the generators' states, the process shuffles into memory both of them
map and answers with the generators' states after its draws, which the runs' generators take when epoch e + 1
starts. A generator is never ahead of its run, so whatever a run draws next is what a lone run would draw; a draw
made from states the generators have since left (the sampling changed) is dropped and the epoch drawn here.

Why a process: numpy's shuffle releases the GIL, but a thread drawing beside the stepping thread takes the GIL back
at every row, and the stepping thread lets it go only at its switch interval or in its own GIL-free calls - a thread
drawing ahead was measured to gain nothing (the stepping slowed by what it saved), a process ~20% of the group.

Where the process cannot help - fewer than :data:`AHEAD_INDICES` indices an epoch (the hand-off costs more than the
draw) or more than :data:`AHEAD_INDICES_AT_MOST` (memory), one core, no ``os.memfd_create`` (not Linux), the process
still starting or gone - the epoch is drawn when it starts by :func:`permute_rows`, with the same result.
"""

from __future__ import annotations

import atexit
import itertools
import mmap
import os
import pickle
import select
import struct
import sys
import threading
import time
import weakref
from functools import cache

import numpy as np

from .files import map_shared_memory

#: Fewer indices than this (R runs x n samples) are shuffled on the calling thread alone, when the epoch starts: a
#: hand-off costs ~20-50 us (to a thread) or ~0.5 ms (to the process), a shuffle ~9 ns an index.
AHEAD_INDICES = 2**18

#: More indices than this an epoch are drawn where the epoch starts too: the second buffer a draw ahead needs would
#: take more than 128 MiB (64 runs of a million samples: 512 MiB each).
AHEAD_INDICES_AT_MOST = 2**24

#: Seconds to wait for the helper's draw of an epoch before drawing every epoch here (64 runs of 10^6 samples: ~0.6 s).
ANSWER_WITHIN = 30.0


class EpochOrders:
    """The (R, n) order of each epoch of R runs, row r drawn by ``rngs[r]``: call :meth:`next` as an epoch starts.
    ``epochs``, if known, is the most epochs the runs will start (the last is not followed by a draw ahead)."""

    def __init__(self, rngs: list[np.random.Generator], n: int, epochs: int | None = None):
        self.rngs, self.n = rngs, n
        self._to_start = epochs  # the epochs still to start, if known: none is drawn ahead past the last
        self._buffers: list[np.ndarray] = []  # [this epoch's order, the other buffer]
        self._halves = [0, 1]  # which half of the shared memory each buffer is
        self._memory = None  # (memfd, its name) when the buffers are shared with the helper process
        self._ahead: list = []  # [ticket, the generators' states it was drawn from] of the next epoch's order

    def next(self) -> np.ndarray:
        """The next epoch's order; it stays valid until the epoch after it starts."""
        states = self._collect()
        if states is not None:
            for rng, state in zip(self.rngs, states):
                rng.bit_generator.state = state
            self._buffers.reverse()
            self._halves.reverse()
        else:
            if not self._buffers:
                self._allocate()
            self._draw_now()
        if self._to_start is not None:
            self._to_start -= 1
        if self._memory is not None and self._to_start != 0:
            self._ask_ahead()
        return self._buffers[0]

    def _allocate(self) -> None:
        shape = (len(self.rngs), self.n)
        ahead = AHEAD_INDICES <= shape[0] * shape[1] <= AHEAD_INDICES_AT_MOST and _cores() >= 2
        helper = _helper() if ahead else None
        if helper is None:
            self._buffers = [np.empty(shape, dtype=np.intp)]
            return
        name = f"gd_core-epochs-{os.getpid()}-{next(_names)}"
        fd = os.memfd_create(name)
        weakref.finalize(self, os.close, fd)
        weakref.finalize(self, helper.forget, self._ahead)  # its answer, if it comes after this is gone
        size = 2 * shape[0] * shape[1] * np.dtype(np.intp).itemsize
        os.ftruncate(fd, size)
        both = np.frombuffer(mmap.mmap(fd, size), dtype=np.intp).reshape(2, *shape)  # unmapped with the last view
        self._buffers, self._memory = [both[0], both[1]], (fd, name)

    def _draw_now(self) -> None:
        """Draw this epoch's order now (the first, or one not drawn ahead): half of the rows here, the other half
        at once by the helper process where there is one ready (a thread would take the GIL back at every row)."""
        helper = _helper() if self._memory is not None else None
        if helper is None or not helper.started:
            permute_rows(self._buffers[0], self.rngs)
            return
        fd, name = self._memory
        first = len(self.rngs) // 2
        theirs = self.rngs[first:]
        ticket = helper.ask((fd, name, self._halves[0], self._buffers[0].shape, first,
                             [rng.bit_generator.state for rng in theirs]))
        _permute_rows(self._buffers[0][:first], self.rngs[:first])
        states = None if ticket is None else helper.answer(ticket)
        if states is None:  # (a late draw would write the same numbers: it starts from the same states)
            _permute_rows(self._buffers[0][first:], theirs)
        else:
            for rng, state in zip(theirs, states):
                rng.bit_generator.state = state

    def _ask_ahead(self) -> None:
        helper = _helper()
        if helper is None:
            return
        fd, name = self._memory
        states = [rng.bit_generator.state for rng in self.rngs]
        ticket = helper.ask((fd, name, self._halves[1], self._buffers[1].shape, 0, states))
        if ticket is not None:
            self._ahead[:] = ticket, states

    def _collect(self) -> list | None:
        """The generators' states after the helper drew this epoch, or None: no draw ahead, or none to use."""
        if not self._ahead:
            return None
        ticket, states = self._ahead
        self._ahead.clear()
        helper = _helper()
        answer = None if helper is None else helper.answer(ticket)
        if answer is None or any(rng.bit_generator.state != state for rng, state in zip(self.rngs, states)):
            return None
        return answer


class _Helper:
    """The helper process and its pipes: :meth:`ask` sends a draw and returns its ticket, :meth:`answer` returns
    the states after it (None if it failed). The asking thread reads the answers itself, as it needs them (a
    reader thread would wait up to a GIL switch interval, 5 ms, to take each off the pipe); answers to other
    tickets are kept for their threads, answers no one will read are dropped, and every ask first takes what
    has come off the pipe, so the process never waits to write."""

    def __init__(self):
        import subprocess  # here, not at the top: the helper process itself never starts one (bench/start_up.py)

        self._process = subprocess.Popen([sys.executable, "-c", _SERVE], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, close_fds=True)
        self._tickets = itertools.count()
        self._lock = threading.Lock()
        self._answers: dict[int, list | None] = {}
        self._forgotten: set[int] = set()
        self.started = False  # it has said hello: until then nothing is asked of it (it takes ~0.3 s to start)
        self.failed = False
        atexit.register(self.close)

    def ask(self, request) -> int | None:
        with self._lock:
            try:
                self._take_answers(wait=0.0)
                if not self.started or self.failed:
                    return None
                ticket = next(self._tickets)
                self._send((ticket, *request))
                return ticket
            except (OSError, EOFError, pickle.UnpicklingError):
                self.failed = True
                return None

    def answer(self, ticket: int) -> list | None:
        with self._lock:
            try:
                while ticket not in self._answers and not self.failed:
                    if not self._take_answers(wait=ANSWER_WITHIN):
                        self.failed = True  # hung: every epoch is drawn here from now on
            except (OSError, EOFError, pickle.UnpicklingError):
                self.failed = True
            return self._answers.pop(ticket, None)

    def forget(self, pending: list) -> None:
        """Drop the answer to ``pending``'s ticket (an EpochOrders' [ticket, states], or []), come or to come."""
        if pending:
            self._forgotten.add(pending[0])
            self._answers.pop(pending[0], None)

    def _send(self, request) -> None:
        """Write a request, taking answers off the pipe while it is full: the process reads no request while it
        writes an answer, so with both longer than a pipe holds (~1,000 runs) neither side would move again."""
        outbox, inbox = self._process.stdin.fileno(), self._process.stdout.fileno()
        view = memoryview(_framed(request))
        while view:
            readable, writable, _ = select.select([inbox], [outbox], [])
            if readable:
                self._take_answers(wait=0.0)
            if writable:  # a pipe with room takes PIPE_BUF bytes without waiting
                view = view[os.write(outbox, view[:select.PIPE_BUF]):]

    def _take_answers(self, wait: float) -> bool:
        """Read the answers that have come (waiting up to ``wait`` s for the first); False if none came."""
        inbox = self._process.stdout.fileno()
        came = False
        while select.select([inbox], [], [], 0.0 if came else wait)[0]:
            ticket, states = _receive(inbox)
            came = True
            if ticket is None:
                self.started = True
            elif ticket in self._forgotten:
                self._forgotten.discard(ticket)
            else:
                self._answers[ticket] = states
        return came

    def close(self) -> None:
        """End the process (at exit): it ends when its stdin closes."""
        import subprocess

        self.failed = True
        self._process.stdin.close()
        try:
            self._process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


#: The helper process's program: a Ctrl+C in the terminal is for the parent (which ends it by closing its stdin).
_SERVE = "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN); from gd_core.epoch_orders import serve; serve()"
_names = itertools.count()
_helper_lock = threading.Lock()
_the_helper: list[_Helper] = []


def _helper() -> _Helper | None:
    """The helper process (started at the first call), or None where there is none to use."""
    if not _shares_memory():
        return None
    with _helper_lock:
        if not _the_helper:
            try:
                _the_helper.append(_Helper())
            except OSError:
                return None
        helper = _the_helper[0]
    return None if helper.failed else helper


def _in_a_forked_child() -> None:
    """A child forked from a process that drew epochs lets go of its parent's helpers. The helper process, its
    pipes and its tickets are the parent's: two processes writing one pipe mixed their requests (the helper died of
    an UnpicklingError) and each could read an answer meant for the other, their tickets counted from the same
    number. The permuting thread is not in the child at all: a task given to it waited forever. The child starts
    its own of each if it needs them."""
    global _helper_lock
    _helper_lock = threading.Lock()  # another thread of the parent may have held it as it forked
    for helper in _the_helper:
        helper.failed = True
        helper._process.stdin.close()
        helper._process.stdout.close()
    _the_helper.clear()
    _helper_thread.cache_clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_in_a_forked_child)


def start(wait: float = 0.0) -> bool:
    """Start the helper process now (it takes ~0.3 s; until it is ready epochs are drawn where they start) and wait
    up to ``wait`` seconds for it: True if it is ready to draw."""
    helper = _helper()
    if helper is None:
        return False
    deadline = time.monotonic() + wait
    with helper._lock:
        while not helper.started and not helper.failed and helper._take_answers(max(0.0, deadline - time.monotonic())):
            pass
    return helper.started and not helper.failed


@cache
def _shares_memory() -> bool:
    """Whether memory can be shared with the helper process: a memfd it opens through /proc (Linux)."""
    return hasattr(os, "memfd_create") and os.path.isdir("/proc/self/fd")


def serve() -> None:
    """The helper process: answer each request (ticket, memfd, its name, half, shape, first row, states) with the
    states after drawing ``rng.permutation(n)`` of each generator into the rows from the first on of that half of
    the parent's memory, until its stdin or stdout closes."""
    inbox, outbox = sys.stdin.fileno(), os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not enter the answers
    parent = os.getppid()
    try:
        _send(outbox, (None, None))  # hello: ready
        while True:
            ticket, fd, name, half, shape, first, states = _receive(inbox)
            try:
                answer = _draw_into(parent, fd, name, half, shape, first, states)
            except Exception:  # noqa: BLE001 - any failure: the parent draws the epoch itself
                answer = None
            _send(outbox, (ticket, answer))
    except (EOFError, OSError):  # the parent closed its ends (it ended, or it was killed): nothing to say
        return


def _draw_into(parent: int, fd: int, name: str, half: int, shape, first: int, states) -> list | None:
    memory = _mapped(parent, fd, name)
    if memory is None:
        return None  # the parent closed that memory and its number now names another file
    rngs = [np.random.Generator(getattr(np.random, s["bit_generator"])()) for s in states]
    for rng, state in zip(rngs, states):
        rng.bit_generator.state = state
    _permute_rows(np.frombuffer(memory, dtype=np.intp).reshape(2, *shape)[half, first:], rngs)
    return [rng.bit_generator.state for rng in rngs]


_maps: dict[str, tuple[int, mmap.mmap]] = {}  # by the memory's name: (its number in the parent, the mapping)


def _mapped(parent: int, fd: int, name: str) -> mmap.mmap | None:
    """The parent's memfd ``fd`` mapped here, if it still is the one named ``name``. The last few stay mapped (a
    fresh mapping costs a page fault every 4 KiB: ~6 ms an epoch of 64 x 10,000 indices); older ones are let go,
    and the memory with them once the parent has closed it too - as is, when another is mapped, each the parent
    has closed (its group is done: kept here, four groups' epochs stayed in memory, up to 1 GiB)."""
    if name not in _maps:
        memory = map_shared_memory(parent, fd, name)
        if memory is None:
            return None
        for other, (number, _) in list(_maps.items()):
            if not _still_named(parent, number, other):
                del _maps[other]
        _maps[name] = fd, memory
        while len(_maps) > 4:
            del _maps[next(iter(_maps))]  # unmapped when its last array is gone
    return _maps[name][1]


def _still_named(parent: int, fd: int, name: str) -> bool:
    """Whether the parent's file number ``fd`` still is its memfd called ``name``."""
    try:
        return os.readlink(f"/proc/{parent}/fd/{fd}").startswith(f"/memfd:{name} ")
    except OSError:
        return False


def _framed(message) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return struct.pack("<Q", len(data)) + data


def _send(fd: int, message) -> None:
    view = memoryview(_framed(message))
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int):
    (size,) = struct.unpack("<Q", _read(fd, 8))
    return pickle.loads(_read(fd, size))


def _read(fd: int, size: int) -> bytes:
    chunks = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            raise EOFError("the other end closed the pipe")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def permute_rows(order: np.ndarray, rngs: list[np.random.Generator]) -> None:
    """Row r of ``order`` (R, n) becomes ``rngs[r].permutation(n)``, now.

    ``Generator.shuffle`` releases the GIL while it swaps: with two cores free, a helper thread draws half of the
    rows while this thread draws the other half. Each generator is used by one thread only, once per row, as a lone
    run uses it. (Shuffling the rows in place is slower: a fresh row is shuffled in the cache, a row of the (R, n)
    block is read back from memory - 158 against 142 ms for 64 runs with a seed each.)
    """
    if order.size < AHEAD_INDICES or len(rngs) < 2 or _cores() < 2:
        _permute_rows(order, rngs)
        return
    half = len(rngs) // 2
    pending = _helper_thread().submit(_permute_rows, order[half:], rngs[half:])
    try:
        _permute_rows(order[:half], rngs[:half])
    finally:
        pending.result()


def _permute_rows(order: np.ndarray, rngs) -> None:
    n = order.shape[1]
    for row, rng in zip(order, rngs):
        row[:] = rng.permutation(n)


@cache
def _helper_thread():
    from concurrent.futures import ThreadPoolExecutor  # here: the helper process and the sweep worker never use it

    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="gd_core-permute")


@cache
def _cores() -> int:
    """The cores this process may run on (its affinity, as a container limits it), at least 1."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
