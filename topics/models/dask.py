"""Independent fits on a Dask cluster: ``[parallel] scheduler = "tcp://host:8786"`` (or
``--scheduler``). Every worker needs this package and its libraries installed (the same versions
as the client, or results may differ); fits are the same tasks the local pool runs, sent with
their counts, and come back in task order, so results equal a local run's.

A researcher with a cluster starts ``dask scheduler`` on one machine and ``dask worker
tcp://SCHEDULER:8786 --nthreads 1`` on each of the others, then runs
``topics sweep CONFIG --k 5:50:5 --scheduler tcp://SCHEDULER:8786``.
"""

from __future__ import annotations

from ..errors import ConfigError, SchedulerError
from .tasks import run_task

CONNECT_TIMEOUT = "10s"


def run_on_dask(tasks, address: str) -> list:
    try:
        from distributed import Client
    except ImportError as exc:
        raise ConfigError("parallel.scheduler needs Dask: pip install 'topics[dask]'") from exc

    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise SchedulerError(
            f"parallel.scheduler: cannot reach the Dask scheduler at {address!r} ({exc}); "
            f"check the address, or leave scheduler empty to use this machine's cores"
        ) from exc
    except ValueError as exc:  # distributed's word for an address it cannot parse
        raise SchedulerError(
            f"parallel.scheduler: {address!r} is not a Dask scheduler address ({exc}); "
            f"give one like tcp://host:8786, or leave scheduler empty to use this machine's "
            f"cores"
        ) from exc
    try:
        futures = client.map(run_task, tasks, pure=False)
        return client.gather(futures)
    finally:
        client.close()
