"""Parts solved in worker processes that the coordinator can stop.

HiGHS can overrun its own time limit on large models; a part stopped at the deadline
falls back to the best plan its worker reported, or to its start.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import Any

import numpy as np

from pollguard.core.planning.cordon.aggregate import ComponentModel
from pollguard.core.planning.cordon.solve import ComponentResult, solve_component

Progress = Callable[[str], None]


def _worker(conn: Connection) -> None:
    """Worker process loop: one job at a time, LP news first, then the result."""
    while True:
        job = conn.recv()
        if job is None:
            return
        job_id, model, solver, limit, seed = job

        def lp_news(bound: float, x: np.ndarray, job_id: int = job_id) -> None:
            conn.send(("lp", job_id, bound, x))

        def best_news(bound: float, x: np.ndarray | None, job_id: int = job_id) -> None:
            conn.send(("best", job_id, bound, x))

        result = solve_component(
            model, solver=solver, time_limit=limit, seed=seed, on_lp=lp_news, on_best=best_news
        )
        conn.send(("done", job_id, result))


def _run_parallel(
    models: list[ComponentModel],
    *,
    solver: str,
    time_limit: float,
    seed: int,
    workers: int,
    progress: Progress,
) -> dict[int, ComponentResult | tuple[float, float, np.ndarray] | None]:
    """Solve components on `workers` processes; stop any that overruns the deadline.

    Returns per component: its result, or (LP bound, best bound, best x so far) when it
    was stopped after its LP (the worker reports each better plan as it finds one), or
    None when it was stopped before.
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
    out: dict[int, ComponentResult | tuple[float, float, np.ndarray] | None] = {}
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
        pool[slot][1].send((job, models[job], solver, limit, seed))
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
                    msg: Any = pool[slot][1].recv()
                except EOFError:
                    busy.pop(slot)
                    continue
                if msg[0] == "lp":
                    out[msg[1]] = (msg[2], msg[2], msg[3])
                    continue
                if msg[0] == "best":
                    known = out.get(msg[1])
                    if isinstance(known, tuple):
                        lp_b, best_b, best_x = known
                        x_new = best_x if msg[3] is None else msg[3]
                        out[msg[1]] = (lp_b, max(best_b, msg[2]), x_new)
                    continue
                result: ComponentResult = msg[2]
                out[msg[1]] = result
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
