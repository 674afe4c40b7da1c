"""Proves rnnviz.tools.serve's nginx configuration: every template field is filled in, each replica
is an upstream server with passive health checks, stickiness hashes the browser's cookie, the
websocket is upgraded, the body limit follows .streamlit/config.toml, nginx itself accepts the file
(when nginx is installed) and the command line refuses what cannot run."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from rnnviz.tools import serve
from rnnviz.ui.token_cookie import COOKIE

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = (ROOT / "deploy" / "nginx.conf.template").read_text(encoding="utf-8")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _render(tmp_path: Path, upstreams=("127.0.0.1:8501", "10.0.0.2:8501"), as_root=False) -> str:
    return serve.render_nginx(TEMPLATE, "127.0.0.1:8080", upstreams, tmp_path, 20, as_root)


def test_the_template_is_filled_in_with_every_replica(tmp_path):
    text = _render(tmp_path)
    assert not re.search(r"\{\{[a-z_]+\}\}", text)
    servers = re.findall(r"^\s*server (\S+) max_fails=1 fail_timeout=10s;", text, re.M)
    assert servers == ["127.0.0.1:8501", "10.0.0.2:8501"]
    assert "listen 127.0.0.1:8080;" in text
    assert f"pid {tmp_path}/nginx.pid;" in text
    assert "user root;" not in text and "user root;" in _render(tmp_path, as_root=True)


def test_sticky_by_the_browsers_cookie_and_the_websocket_is_upgraded(tmp_path):
    text = _render(tmp_path)
    assert f"map $cookie_{COOKIE} $rnnviz_sticky" in text
    assert "hash $rnnviz_sticky consistent;" in text
    stream = text[text.index("location /_stcore/stream") :]
    stream = stream[: stream.index("}")]
    assert "proxy_set_header Upgrade $http_upgrade;" in stream
    assert "proxy_set_header Connection $connection_upgrade;" in stream
    assert "proxy_http_version 1.1;" in stream


def test_the_body_limit_follows_the_apps_upload_limit(tmp_path):
    assert serve.upload_limit_mb(ROOT) == 20  # .streamlit/config.toml
    assert "client_max_body_size 21m;" in _render(tmp_path)
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "config.toml").write_text("[server]\nmaxUploadSize = 5\n")
    assert serve.upload_limit_mb(tmp_path) == 5
    assert serve.upload_limit_mb(tmp_path / "elsewhere") == serve.STREAMLIT_UPLOAD_DEFAULT_MB


def test_no_replica_no_config(tmp_path):
    with pytest.raises(ValueError, match="at least one replica"):
        _render(tmp_path, upstreams=())
    with pytest.raises(ValueError, match="does not fill in"):
        serve.render_nginx(TEMPLATE + "{{mystery}}", "8080", ["a:1"], tmp_path, 20, False)


@pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed")
def test_nginx_accepts_the_rendered_file(tmp_path):
    serve.make_run_dir(tmp_path)
    conf = tmp_path / "nginx.conf"
    conf.write_text(_render(tmp_path, as_root=False))
    error_log = str(tmp_path / "logs" / "error.log")
    check = subprocess.run(
        [NGINX, "-t", "-q", "-p", str(tmp_path), "-c", str(conf), "-e", error_log],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


def test_print_config_names_the_replicas_given(capsys, tmp_path):
    argv = ["--replicas", "2", "--replica-port", "9000", "--upstream", "10.0.0.9:8501"]
    assert serve.main([*argv, "--print-config", "--run-dir", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    servers = re.findall(r"server (\S+) max_fails", printed)
    assert servers == ["127.0.0.1:9000", "127.0.0.1:9001", "10.0.0.9:8501"]


@pytest.mark.parametrize(
    "argv",
    [["--replicas", "0"], ["--replicas", "-1"], ["--replicas", "0", "--no-nginx", "--upstream", "a:1"]],
)
def test_the_command_line_refuses_what_cannot_run(argv):
    with pytest.raises(SystemExit):
        serve.parse_args(argv)


def test_each_replica_gets_its_share_of_the_cores_and_the_replica_count(monkeypatch, tmp_path):
    monkeypatch.delenv("RNNVIZ_MAX_TRAININGS", raising=False)
    monkeypatch.delenv("RNNVIZ_PAGE_SLOTS", raising=False)
    monkeypatch.setattr(serve.os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    cluster = serve.Cluster(serve.parse_args(["--replicas", "3", "--run-dir", str(tmp_path)]))
    env = cluster._replica_env()
    assert (env["RNNVIZ_MAX_TRAININGS"], env["RNNVIZ_PAGE_SLOTS"], env["RNNVIZ_REPLICAS"]) == ("2", "2", "3")
    monkeypatch.setenv("RNNVIZ_MAX_TRAININGS", "5")  # the operator's own settings win; the count is a fact
    monkeypatch.setenv("RNNVIZ_PAGE_SLOTS", "0")
    env = cluster._replica_env()
    assert (env["RNNVIZ_MAX_TRAININGS"], env["RNNVIZ_PAGE_SLOTS"], env["RNNVIZ_REPLICAS"]) == ("5", "0", "3")
    many = serve.Cluster(serve.parse_args(["--replicas", "12", "--run-dir", str(tmp_path)]))
    monkeypatch.delenv("RNNVIZ_PAGE_SLOTS")
    assert many._replica_env()["RNNVIZ_PAGE_SLOTS"] == "1"  # more replicas than cores: one each
