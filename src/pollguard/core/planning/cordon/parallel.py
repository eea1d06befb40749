"""Parts solved in worker processes that the coordinator can stop.

HiGHS can overrun its own time limit on large models; a part stopped at the deadline
falls back to the best plan its worker reported, or to its start.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

import numpy as np

from pollguard.core.planning.cordon.aggregate import ComponentModel
from pollguard.core.planning.cordon.solve import ComponentResult, solve_component

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Job:
    """One part for a worker to solve (sent through its pipe)."""

    job_id: int  # the part's index in the coordinator's list
    model: ComponentModel
    solver: str
    time_limit: float
    seed: int


@dataclass(frozen=True)
class LpNews:
    """A worker's first report on a job: the LP bound and the rounded starting plan."""

    job_id: int
    bound: float
    x: np.ndarray


@dataclass(frozen=True)
class BestNews:
    """A better bound, and a better plan when `x` is set, found while the job runs."""

    job_id: int
    bound: float
    x: np.ndarray | None


@dataclass(frozen=True)
class Done:
    """A job's result."""

    job_id: int
    result: ComponentResult


@dataclass(frozen=True)
class PartialResult:
    """What the coordinator knows of a part whose worker has not finished: the best of
    what it reported, kept for when the worker is stopped at the deadline."""

    lp_bound: float
    bound: float  # the best bound reported
    x: np.ndarray  # the best plan reported (at first, the LP rounding)


Outcome = ComponentResult | PartialResult | None
"""Per part: its result, what its stopped worker had reported, or None (stopped before
its LP)."""


def _worker(conn: Connection) -> None:
    """Worker process loop: one job at a time, LP news first, then the result."""
    while True:
        job: Job | None = conn.recv()
        if job is None:
            return
        job_id = job.job_id

        def lp_news(bound: float, x: np.ndarray, job_id: int = job_id) -> None:
            conn.send(LpNews(job_id, bound, x))

        def best_news(bound: float, x: np.ndarray | None, job_id: int = job_id) -> None:
            conn.send(BestNews(job_id, bound, x))

        result = solve_component(
            job.model,
            solver=job.solver,
            time_limit=job.time_limit,
            seed=job.seed,
            on_lp=lp_news,
            on_best=best_news,
        )
        conn.send(Done(job_id, result))


def _run_parallel(
    models: list[ComponentModel],
    *,
    solver: str,
    time_limit: float,
    seed: int,
    workers: int,
    progress: Progress,
) -> dict[int, Outcome]:
    """Solve components on `workers` processes; stop any that overruns the deadline.

    Returns per component: its result, or a `PartialResult` (LP bound, best bound, best x
    so far) when it was stopped after its LP (the worker reports each better plan as it
    finds one), or None when it was stopped before.
    """
    started = time.perf_counter()
    deadline = started + time_limit
    # fork: fast, and the parent has not started any solver thread at this point.
    ctx: Any = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    pool: list[tuple[Any, Connection]] = []
    for _ in range(min(workers, len(models))):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child,), daemon=True)
        proc.start()
        child.close()
        pool.append((proc, parent))
    out: dict[int, Outcome] = {}
    queue = list(range(len(models)))
    busy: dict[int, int] = {}  # pool slot -> job
    waiting_size = sum(m.size_hint for m in models)

    def dispatch(slot: int) -> None:
        nonlocal waiting_size
        job = queue.pop(0)
        left = deadline - time.perf_counter()
        share = left * len(pool) * models[job].size_hint / max(1, waiting_size)
        waiting_size -= models[job].size_hint
        limit = max(0.2, min(left - 0.1, share))
        pool[slot][1].send(Job(job, models[job], solver, limit, seed))
        busy[slot] = job
        out[job] = None

    for slot in range(len(pool)):
        if queue:
            dispatch(slot)
    done = 0
    try:
        while busy:
            grace = deadline + max(1.0, 0.1 * time_limit) - time.perf_counter()
            if grace <= 0:
                break
            ready = wait([pool[s][1] for s in busy], timeout=grace)
            for ready_conn in ready:
                slot = next(s for s in busy if pool[s][1] is ready_conn)
                try:
                    msg: LpNews | BestNews | Done = pool[slot][1].recv()
                except EOFError:
                    busy.pop(slot)
                    continue
                if isinstance(msg, LpNews):
                    out[msg.job_id] = PartialResult(msg.bound, msg.bound, msg.x)
                    continue
                if isinstance(msg, BestNews):
                    known = out.get(msg.job_id)
                    if isinstance(known, PartialResult):
                        x_new = known.x if msg.x is None else msg.x
                        out[msg.job_id] = PartialResult(
                            known.lp_bound, max(known.bound, msg.bound), x_new
                        )
                    continue
                result = msg.result
                out[msg.job_id] = result
                done += 1
                progress(
                    f"cordon: part {done}/{len(models)} {result.name}: {result.status}, "
                    f"shortfall {result.objective:.1f}, bound {result.bound:.1f}, "
                    f"{result.seconds:.1f}s"
                )
                busy.pop(slot)
                if queue:
                    dispatch(slot)
    finally:
        for slot, (proc, conn) in enumerate(pool):
            if slot in busy:
                proc.terminate()  # overran the deadline: its fallback is used
            else:
                try:
                    conn.send(None)
                except (BrokenPipeError, OSError):
                    proc.terminate()
        for proc, conn in pool:
            proc.join(timeout=2)
            if proc.is_alive():
                proc.kill()
                proc.join()
            conn.close()
    for slot in busy:
        progress(f"cordon: part {models[busy[slot]].name} stopped at the time limit")
    return out
