"""Running the sandbox: under uvicorn in the foreground, or in a background thread."""

from __future__ import annotations

import logging
import threading
import time
from types import TracebackType

import uvicorn

from psahub.sandbox.app import create_app
from psahub.sandbox.world import Sandbox


class _HideDroppedConnections(logging.Filter):
    """Keep deliberate, fault-injected connection drops out of the error log."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return type(exc).__name__ != "ConnectionDropped"


def quiet_fault_logs() -> None:
    """Install the filter that hides injected connection drops from uvicorn's error log."""
    logging.getLogger("uvicorn.error").addFilter(_HideDroppedConnections())


def uvicorn_config(
    sandbox: Sandbox, host: str, port: int, log_level: str = "warning"
) -> uvicorn.Config:
    """A uvicorn configuration serving ``sandbox``."""
    return uvicorn.Config(
        create_app(sandbox),
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
    )


class BackgroundSandbox:
    """A sandbox served on loopback from a daemon thread, for tests, benchmarks and demos.

    Use as a context manager; :attr:`url` is the root address once started.
    """

    def __init__(
        self, sandbox: Sandbox | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.sandbox = sandbox or Sandbox()
        self.host = host
        self.server = uvicorn.Server(uvicorn_config(self.sandbox, host, port))
        self.thread = threading.Thread(target=self.server.run, name="halo-sandbox", daemon=True)
        self.url = ""

    def start(self) -> BackgroundSandbox:
        """Start serving and wait until the socket is bound."""
        quiet_fault_logs()
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://{self.host}:{port}"
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> BackgroundSandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
