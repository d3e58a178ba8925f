"""Map "audit one file -> a plain dict" over many files: in this process,
in forked worker processes, or on a Dask distributed cluster.

* `jobs > 1` forks workers (where the OS can fork) after the caller has
  imported what the work needs, so a worker starts with numpy, scipy, the
  rules and the packs already loaded instead of importing the world again
  (a spawned worker spent ~2.5 s doing that); files go to workers in chunks,
  so one pickled message carries many results.
* `dask="local"` starts a Dask LocalCluster on 127.0.0.1 with `jobs` worker
  processes; `dask="tcp://host:port"` uses a running scheduler. Its workers
  need ivr installed and must see the same files at the same paths.

Results always come back in the order of the items, whatever ran them, so
every way gives the same output.
"""
from __future__ import annotations

from typing import Callable, Optional, Sequence

from .errors import IvrError

CONNECT_TIMEOUT_S = 15  # how long to try a scheduler address before saying it cannot be reached
CHUNKS_PER_JOB = 4   # enough chunks to even out slow files, few enough to keep messages large


def chunk_size(count: int, jobs: int) -> int:
    return max(1, min(256, -(-count // (jobs * CHUNKS_PER_JOB))))


def run_chunk(func: Callable, items: Sequence) -> list:
    """`func` over one chunk, in a worker."""
    return [func(item) for item in items]


def parallel_map(func: Callable, items: Sequence, jobs: int = 1, dask: Optional[str] = None,
                 tick: Optional[Callable] = None, warm: Optional[Callable[[], None]] = None) -> list:
    """[func(item) for item in items], computed with `jobs` processes or on
    Dask; `tick(result)` after each result; `warm()` runs in this process
    before workers fork (import and cache what `func` needs)."""
    items = list(items)
    if dask:
        return _dask_map(func, items, dask, jobs, tick)
    if jobs <= 1 or len(items) < 2:
        out = []
        for item in items:
            out.append(func(item))
            if tick:
                tick(out[-1])
        return out
    import multiprocessing   # here: one menu, the common case, needs none of it
    fork = "fork" in multiprocessing.get_all_start_methods()
    out = []
    if fork:   # load here what the work needs, once, so that every worker inherits it:
        if warm:
            warm()
        out.append(func(items[0]))   # the first item runs here: it exercises every lazy import
        if tick:
            tick(out[-1])
        items = items[1:]
    size = chunk_size(len(items), jobs)
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    with multiprocessing.get_context("fork" if fork else "spawn").Pool(min(jobs, len(chunks))) as pool:
        for results in pool.imap(_star_chunk, [(func, c) for c in chunks]):
            for result in results:
                out.append(result)
                if tick:
                    tick(result)
    return out


def _star_chunk(args: tuple) -> list:
    return run_chunk(*args)


def _dask_map(func: Callable, items: list, address: str, jobs: int, tick: Optional[Callable]) -> list:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:   # pragma: no cover - dask is a dependency
        raise IvrError("Dask distributed is not installed", "pip install 'dask[distributed]'",
                       code="missing-tool") from None
    cluster = None
    try:
        if address == "local":
            cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=None)
            client = Client(cluster, timeout="60s")
        else:
            client = Client(address, timeout=f"{CONNECT_TIMEOUT_S}s")
    except (OSError, TimeoutError, ValueError) as err:
        if cluster is not None:
            cluster.close()
        raise IvrError(f"cannot reach the Dask scheduler at {address}: {err}",
                       "start one (`dask scheduler` and `dask worker ADDRESS`), check the address, "
                       "or use --dask local", code="unreachable") from None
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})) or jobs)
        size = chunk_size(len(items), workers)
        chunks = [items[i:i + size] for i in range(0, len(items), size)]
        futures = client.map(run_chunk, [func] * len(chunks), chunks, pure=False)
        out = []
        for future in futures:   # in order: the output does not depend on which worker finished first
            for result in future.result():
                out.append(result)
                if tick:
                    tick(result)
        return out
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
