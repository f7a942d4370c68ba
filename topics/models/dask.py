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
PROBE_SECONDS = 10.0  # how long the first bytes of a scheduler may take
HANDSHAKE_BYTES = 1 << 20  # a Dask handshake is a few hundred bytes; more means another service


def probe_scheduler(address: str, timeout: float = PROBE_SECONDS) -> None:
    """Check that a tcp:// address answers as a Dask scheduler does before Dask reads from it.

    A Dask scheduler sends its handshake first, prefixed by its length (8 bytes). Another service
    (a web server, a database) sends nothing, closes, or sends text that Dask would read as a length
    of exabytes and try to allocate; here at most 8 bytes are read, within ``timeout`` seconds.
    Raises SchedulerError saying which."""
    import socket
    import struct

    if not address.startswith("tcp://"):
        return  # tls/ucx/ws: Dask's own connect reports these
    host, _, port = address[len("tcp://") :].rpartition(":")
    host = host.strip("[]")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout) as sock:
            sock.settimeout(timeout)
            head = b""
            while len(head) < 8:
                chunk = sock.recv(8 - len(head))
                if not chunk:
                    break
                head += chunk
    except TimeoutError as exc:
        raise SchedulerError(
            f"parallel.scheduler: {address!r} accepted the connection but sent nothing in {timeout:.0f} s, as a "
            f"Dask scheduler does at once: it is not a Dask scheduler (another service on that port?); check "
            f"the port (dask scheduler prints its address), or leave scheduler empty to use this machine's cores"
        ) from exc
    except OSError as exc:
        raise SchedulerError(
            f"parallel.scheduler: cannot reach the Dask scheduler at {address!r} ({exc}); "
            f"check the address, or leave scheduler empty to use this machine's cores"
        ) from exc
    (size,) = struct.unpack("Q", head) if len(head) == 8 else (0,)
    if not 0 < size <= HANDSHAKE_BYTES:
        raise SchedulerError(
            f"parallel.scheduler: {address!r} answers, but not as a Dask scheduler (its first bytes "
            f"{head[:8]!r} are not a Dask handshake; another service on that port?); check the port "
            f"(dask scheduler prints its address), or leave scheduler empty to use this machine's cores"
        )


def run_on_dask(tasks, address: str) -> list:
    try:
        from distributed import Client
    except ImportError as exc:
        raise ConfigError("parallel.scheduler needs Dask: pip install 'topics[dask]'") from exc

    probe_scheduler(address)
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
