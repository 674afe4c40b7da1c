"""Proves the app server helper: a free loopback port, a clear error for a missing app file, and a
real `streamlit run` of a given file that answers its health check and is gone after the block."""

import socket

import pytest

from rnnviz.tools.appserver import AppServer, free_port


def test_free_port_can_be_bound():
    port = free_port()
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))


def test_a_missing_app_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no app file"):
        AppServer(tmp_path / "app.py", None, log_dir=tmp_path).start()


@pytest.mark.slow
def test_serves_the_given_file_and_stops(tmp_path):
    app = tmp_path / "tiny_app.py"
    app.write_text("import streamlit as st\nst.write('hello')\n")
    with AppServer(app, tmp_path, log_dir=tmp_path / "logs") as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert server.process.poll() is None
    assert server.process.poll() is not None
    assert server.log_path.parent == tmp_path / "logs" and server.log_path.is_file()
