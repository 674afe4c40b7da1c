"""A real `streamlit run <app>` in a subprocess on a free loopback port, for browser tests and benches.

    with AppServer(ROOT / "app.py", models_dir) as server:    # models_dir None: the shipped models
        urllib.request.urlopen(server.url)

The caller names the app file (this package does not guess where a checkout keeps app.py); the
server runs in that file's folder, answers on 127.0.0.1 only, and is stopped on leaving the block.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HEALTH = "/_stcore/health"  # streamlit's own readiness endpoint: answers "ok" once the server serves


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def streamlit_command(app_name: str, port: int, address: str) -> list[str]:
    """`python -m streamlit run <app_name>` headless on `address:port`, without usage stats
    (run from the app's folder)."""
    return [
        sys.executable, "-m", "streamlit", "run", app_name,
        "--server.port", str(port),
        "--server.address", address,
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip


class AppServer:
    """`streamlit run app` in a subprocess on a free loopback port.

    `models_dir` becomes RNNVIZ_MODELS_DIR (None: the shipped models); `env` adds environment
    variables; the server's output goes to `log_dir`/server-<port>.log (default: the system's
    temporary folder), whose end is shown when the server fails to start.
    """

    def __init__(
        self,
        app: str | os.PathLike,
        models_dir: str | os.PathLike | None,
        env: dict[str, str] | None = None,
        log_dir: str | os.PathLike | None = None,
    ) -> None:
        self.app = Path(app).resolve()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.models_dir = models_dir
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None
        self.log_path = Path(log_dir or tempfile.gettempdir()) / f"server-{self.port}.log"

    def start(self, timeout: float = 90) -> AppServer:
        """Start the server and wait until it answers its health check (RuntimeError if not)."""
        if not self.app.is_file():
            raise FileNotFoundError(f"no app file at {self.app}")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.extra_env}
        if self.models_dir is not None:
            env["RNNVIZ_MODELS_DIR"] = str(self.models_dir)
        command = streamlit_command(self.app.name, self.port, "127.0.0.1")
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=self.app.parent, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + HEALTH, timeout=2) as response:
                    if response.read().strip() == b"ok":
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"streamlit did not answer on {self.url} within {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Terminate the server (kill it after 10 s); does nothing if it is not running."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        """The last `lines` lines of the server's output."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
