"""The processes and threads of a build, and how an interrupt stops them.

A build runs notebooks (papermill kernels, each a child process) in worker threads. SIGINT
(Ctrl-C) or SIGTERM becomes `Interrupted` in the main thread, which then kills the kernels
the build started, so that the threads waiting on them end too.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, wait
from contextlib import contextmanager, nullcontext


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM stopped the build; the previous report (if any) is untouched.

    `exit_code` is the shell's convention for a process ended by that signal (130, 143)."""

    def __init__(self, signum: int):
        self.signum = signum
        self.exit_code = 128 + signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")


@contextmanager
def signals_stop_the_build() -> Iterator[Callable]:
    """Turn SIGINT and SIGTERM into `Interrupted` for the duration of a build.

    The handlers are installed explicitly: a process started in the background by a
    non-interactive shell inherits SIGINT *ignored*, and Python's default SIGTERM ends the
    process without running any cleanup. Yields `protect`, a context manager for steps that
    must not be cut in half (swapping the report in, cleaning up): a signal arriving inside
    it is raised when it ends. Once one signal has been raised, later ones are ignored so that
    the cleanup it triggers runs to the end (SIGKILL still works)."""
    if threading.current_thread() is not threading.main_thread():
        yield nullcontext  # signal handlers can only be set (and only run) in the main thread
        return
    state = {"raised": False, "pending": None, "protected": 0}

    def handler(signum, frame):
        if state["raised"]:
            return
        if state["protected"]:
            state["pending"] = state["pending"] or signum
            return
        state["raised"] = True
        raise Interrupted(signum)

    @contextmanager
    def protect():
        state["protected"] += 1
        try:
            yield
        finally:
            state["protected"] -= 1
        if not state["protected"] and state["pending"] and not state["raised"]:
            state["raised"] = True
            raise Interrupted(state["pending"])

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield protect
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def child_pids() -> set[int]:
    import psutil

    return {p.pid for p in psutil.Process().children(recursive=True)}


def stop_new_children(before: set[int], timeout: float = 5.0) -> None:
    """Kill the processes this build started, and theirs: the notebook kernel runs in its own
    session, so a Ctrl-C does not reach it (ingest or Dask workers likewise). SIGKILL, as
    jupyter_client's `shutdown_kernel(now=True)` does: a kernel asked to stop mid-cell prints
    tracebacks, and nothing these processes hold is kept."""
    import psutil

    started = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    for process in started:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(started, timeout=timeout)


def in_background(function: Callable, *args) -> Future:
    """`function(*args)` started in a daemon thread; `.result()` waits and re-raises."""
    future: Future = Future()

    def work():
        try:
            future.set_result(function(*args))
        except BaseException as exc:  # handed to whoever asks for the result
            future.set_exception(exc)

    threading.Thread(target=work, name=f"toolkit-{function.__name__}", daemon=True).start()
    return future


def in_worker_threads(calls, on_interrupt: Callable[[], None] | None = None) -> list:
    """Run each `(function, args)` of `calls` in its own worker thread (`in_background`) and
    wait for all, stopping the processes they started (e.g. notebook kernels) if the wait is
    interrupted; the first call's error, in the order of `calls`, is raised.

    papermill runs here because nbclient, in the main thread, replaces the SIGINT and SIGTERM
    handlers while a notebook runs (and restores Python's defaults, not ours, afterwards); in a
    worker thread it cannot, so an interrupt reaches the build wherever it happens."""
    before = child_pids()
    futures = [in_background(function, *args) for function, args in calls]
    try:
        while not all(future.done() for future in futures):
            wait(futures, timeout=0.1)  # short waits: a signal handler runs between them
    except BaseException:
        if on_interrupt is not None:
            on_interrupt()
        stop_new_children(before)
        wait(futures, timeout=30)  # with its kernel gone, papermill gives up: let it finish writing
        raise
    return [future.result() for future in futures]
