"""Serving a class: N Streamlit replicas of the app and nginx in front of them, started together and
stopped together (Ctrl-C or SIGTERM), as the current user.

    python -m rnnviz.tools.serve --replicas 3 --port 8080        # from the checkout's folder

Each replica runs `streamlit run asgi.py` (the app with the browser-token cookie) on a loopback port;
the script waits for every replica's /_stcore/health, fills in deploy/nginx.conf.template (sticky
by cookie, websocket upgrade, passive health checks, the app's upload limit), checks it with
`nginx -t` and runs nginx with its pid file, logs and temporary files under the run directory. A
replica that exits is started again on its port. The replicas share one cookie secret (so an
upload's XSRF cookie is valid on all of them) and one model store ($RNNVIZ_MODEL_STORE).

On several machines, the same configuration: run `--no-nginx --replica-address 0.0.0.0
--replica-port 8501` on each replica machine (the same $RNNVIZ_MODEL_STORE on a shared folder, the
same $STREAMLIT_SERVER_COOKIE_SECRET), and `--replicas 0 --upstream HOST:PORT ...` where nginx runs.
The run directory's serve.json says what runs where (for scripts and tests).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from rnnviz.tools.appserver import HEALTH, free_port, streamlit_command
from rnnviz.training.settings import MAX_TRAININGS_ENV, PAGE_SLOTS_ENV, REPLICAS_ENV, cores

COOKIE_SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"  # Streamlit's own: server.cookieSecret
STREAMLIT_UPLOAD_DEFAULT_MB = 200  # Streamlit's server.maxUploadSize when config.toml does not set it
MAX_FAILS = 1  # failed connections before nginx leaves a replica out ...
FAIL_TIMEOUT = "10s"  # ... for this long, then tries it again
STOP_SECONDS = 10.0  # a process that has not stopped by then is killed


def upload_limit_mb(app_folder: Path) -> int:
    """server.maxUploadSize of the app's .streamlit/config.toml (MB), else Streamlit's default."""
    path = app_folder / ".streamlit" / "config.toml"
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return STREAMLIT_UPLOAD_DEFAULT_MB
    return int(config.get("server", {}).get("maxUploadSize", STREAMLIT_UPLOAD_DEFAULT_MB))


def render_nginx(
    template: str, listen: str, upstreams: Sequence[str], run_dir: Path, upload_mb: int, as_root: bool
) -> str:
    """deploy/nginx.conf.template with its {{fields}} filled in. `upstreams` are HOST:PORT."""
    if not upstreams:
        raise ValueError("nginx needs at least one replica (--replicas or --upstream)")
    servers = "\n".join(
        f"        server {address} max_fails={MAX_FAILS} fail_timeout={FAIL_TIMEOUT};"
        for address in upstreams
    )
    # As root, nginx's workers would run as `nobody` and could not write the run directory.
    user = "user root;" if as_root else "# user: nginx runs as the user who started it"
    fields = {
        "user": user,
        "run_dir": str(run_dir),
        "servers": servers,
        "listen": listen,
        "upload_mb": str(upload_mb),
        "body_mb": str(upload_mb + 1),
        "max_fails": str(MAX_FAILS),
        "fail_timeout": FAIL_TIMEOUT,
    }
    text = template
    for name, value in fields.items():
        text = text.replace("{{" + name + "}}", value)
    unknown = re.search(r"\{\{[a-z_]+\}\}", text)
    if unknown:
        raise ValueError(f"the template has a field this script does not fill in: {unknown.group()}")
    return text


def make_run_dir(run_dir: Path) -> None:
    """The folders nginx writes into (logs, temporary request and response bodies)."""
    for folder in ("logs", "tmp/client_body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (run_dir / folder).mkdir(parents=True, exist_ok=True)


def healthy(base_url: str, timeout: float = 2.0) -> bool:
    """Whether the server at `base_url` answers its health check with "ok"."""
    try:
        with urllib.request.urlopen(base_url + HEALTH, timeout=timeout) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


def _stop(process: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
    """Send `sig`, wait up to STOP_SECONDS, then kill."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Replica:
    """One `streamlit run <app>` on `address:port`, its output in `log_path`."""

    def __init__(self, app: Path, address: str, port: int, env: dict[str, str], log_dir: Path) -> None:
        self.app, self.address, self.port, self.env = app, address, port, env
        self.log_path = log_dir / f"replica-{port}.log"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.address in ("0.0.0.0", "") else self.address
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        command = streamlit_command(self.app.name, self.port, self.address)
        with open(self.log_path, "ab") as log:
            # A session of its own: a terminal's Ctrl-C reaches serve only, which stops nginx first.
            self.process = subprocess.Popen(
                command,
                cwd=self.app.parent,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

    def exited(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


class Cluster:
    """The replicas and nginx of one `serve` run (see the module docstring)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.app = Path(args.app).resolve()
        if args.run_dir:
            self.run_dir = Path(args.run_dir).resolve()
        elif args.print_config:  # a file for a system nginx: its paths under ./nginx-run
            self.run_dir = Path("nginx-run").resolve()
        else:
            self.run_dir = Path(tempfile.mkdtemp(prefix="rnnviz-serve-"))
        self.log_dir = self.run_dir / "logs"
        self.replicas: list[Replica] = []
        self.nginx: subprocess.Popen | None = None
        self.url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '') else args.host}:{args.port}"

    def _replica_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault(COOKIE_SECRET_ENV, secrets.token_hex(32))  # one for all replicas of this run
        if self.args.replicas:
            share = str(max(1, cores() // self.args.replicas))  # the machine's cores, shared out
            for name in (MAX_TRAININGS_ENV, PAGE_SLOTS_ENV):
                env.setdefault(name, share)  # the operator's own setting wins
            env[REPLICAS_ENV] = str(self.args.replicas)  # the Train page: its cap is one process's of N
        return env

    def start(self) -> None:
        """Start the replicas, wait for their health, then start nginx and wait for it."""
        if not self.app.is_file():
            raise SystemExit(f"no app file at {self.app}: run from the checkout, or pass --app")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = self._replica_env()
        ports = list(range(self.args.replica_port, self.args.replica_port + self.args.replicas))
        if not self.args.replica_port:
            ports = [free_port() for _ in range(self.args.replicas)]
        self.replicas = [Replica(self.app, self.args.replica_address, p, env, self.log_dir) for p in ports]
        for replica in self.replicas:
            replica.start()
        self._wait_for_replicas(self.replicas)
        if not self.args.no_nginx:
            self._start_nginx()
        self._write_state()

    def _wait_for_replicas(self, replicas: Sequence[Replica]) -> None:
        deadline = time.monotonic() + self.args.timeout
        waiting = list(replicas)
        while waiting:
            for replica in list(waiting):
                if replica.exited():
                    raise RuntimeError(f"replica on port {replica.port} exited:\n{replica.log_tail()}")
                if healthy(replica.url):
                    waiting.remove(replica)
            if waiting and time.monotonic() > deadline:
                raise RuntimeError(
                    f"replica on port {waiting[0].port} is not healthy:\n{waiting[0].log_tail()}"
                )
            if waiting:
                time.sleep(0.3)

    def upstreams(self) -> list[str]:
        """HOST:PORT of every replica nginx sends students to: the local ones, then --upstream."""
        local = [f"{replica.url.removeprefix('http://')}" for replica in self.replicas]
        return local + list(self.args.upstream)

    def nginx_config(self) -> str:
        template = Path(self.args.template or self.app.parent / "deploy" / "nginx.conf.template")
        return render_nginx(
            template.read_text(encoding="utf-8"),
            listen=f"{self.args.host}:{self.args.port}",
            upstreams=self.upstreams(),
            run_dir=self.run_dir,
            upload_mb=upload_limit_mb(self.app.parent),
            as_root=os.geteuid() == 0,
        )

    def _start_nginx(self) -> None:
        nginx = self.args.nginx or shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise RuntimeError(f"nginx is not installed ({nginx}): apt-get install nginx")
        make_run_dir(self.run_dir)
        conf = self.run_dir / "nginx.conf"
        conf.write_text(self.nginx_config(), encoding="utf-8")
        base = [nginx, "-p", str(self.run_dir), "-c", str(conf), "-e", str(self.log_dir / "nginx-error.log")]
        check = subprocess.run([*base, "-t", "-q"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx refuses {conf}:\n{check.stderr}")
        with open(self.log_dir / "nginx.out", "ab") as log:
            self.nginx = subprocess.Popen(
                [*base, "-g", "daemon off;"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 20
        while not healthy(self.url):
            if self.nginx.poll() is not None or time.monotonic() > deadline:
                errors = (self.log_dir / "nginx-error.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"nginx did not start on {self.url}:\n{errors}")
            time.sleep(0.2)

    def _write_state(self) -> None:
        state = {
            "url": None if self.args.no_nginx else self.url,
            "serve_pid": os.getpid(),
            "nginx_pid": self.nginx.pid if self.nginx else None,
            "replicas": [
                {"url": r.url, "port": r.port, "pid": r.process.pid if r.process else None}
                for r in self.replicas
            ],
            "upstreams": self.upstreams(),
        }
        path = self.run_dir / "serve.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        tmp.replace(path)

    def supervise(self) -> None:
        """Until stopped: start again any replica that exits; stop everything if nginx exits."""
        while True:
            time.sleep(1.0)
            if self.nginx is not None and self.nginx.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.nginx.returncode}; see {self.log_dir}")
            restarted = False
            for replica in self.replicas:
                if replica.exited():
                    print(f"replica on port {replica.port} exited; starting it again", flush=True)
                    replica.start()
                    restarted = True
            if restarted:
                self._write_state()

    def stop(self) -> None:
        """nginx first (no new requests), then every replica; kill what does not stop in time."""
        _stop(self.nginx, signal.SIGQUIT)  # graceful: open websockets are closed, then it exits
        for replica in self.replicas:
            if not replica.exited():
                replica.process.terminate()
        for replica in self.replicas:
            _stop(replica.process)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m rnnviz.tools.serve", description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", type=int, default=2, help="Streamlit processes here (0: none)")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port (default 8080)")
    parser.add_argument("--host", default="0.0.0.0", help="nginx's address (default all)")
    parser.add_argument("--replica-address", default="127.0.0.1", help="where replicas listen")
    parser.add_argument(
        "--replica-port", type=int, default=0, help="first replica port (default: free ports)"
    )
    parser.add_argument("--upstream", action="append", default=[], help="HOST:PORT of a replica elsewhere")
    parser.add_argument("--no-nginx", action="store_true", help="replicas only (a replica machine)")
    parser.add_argument("--print-config", action="store_true", help="print nginx.conf and exit")
    parser.add_argument("--app", default="asgi.py", help="the app file (default ./asgi.py)")
    parser.add_argument("--template", help="nginx template (default deploy/nginx.conf.template)")
    parser.add_argument("--nginx", help="the nginx binary (default: from PATH, else /usr/sbin/nginx)")
    parser.add_argument("--run-dir", help="nginx's files, logs and serve.json (default: a new temp folder)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds a replica may take to start")
    args = parser.parse_args(argv)
    if args.replicas < 0 or (args.replicas == 0 and not args.upstream):
        parser.error("give --replicas N (N >= 1) or at least one --upstream HOST:PORT")
    if args.no_nginx and not args.replicas:
        parser.error("--no-nginx runs replicas only: give --replicas N")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    cluster = Cluster(args)
    if args.print_config:
        cluster.replicas = [
            Replica(cluster.app, args.replica_address, (args.replica_port or 8501) + i, {}, cluster.log_dir)
            for i in range(args.replicas)
        ]
        print(cluster.nginx_config())
        return 0
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGINT, _raise_interrupt)  # also when started where SIGINT was ignored
    try:
        cluster.start()
        where = cluster.url if not args.no_nginx else ", ".join(r.url for r in cluster.replicas)
        print(f"rnnviz serves {where} with {len(cluster.upstreams())} replicas; Ctrl-C stops", flush=True)
        print(f"logs and nginx files: {cluster.run_dir}", flush=True)
        cluster.supervise()
    except KeyboardInterrupt:
        print("stopping", flush=True)
        return 0
    except (RuntimeError, OSError, ValueError) as error:  # a replica or nginx that cannot start
        print(f"error: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the stop short
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
