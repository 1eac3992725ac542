"""Unit tests stay units: no network connection and no child process (those belong in tests/integration)."""

import socket
import subprocess

import pytest


@pytest.fixture(autouse=True)
def no_sockets_or_processes(monkeypatch):
    def refused(*_args, **_kwargs):
        raise AssertionError("a unit test opened a connection or started a process: move it to tests/integration")
    monkeypatch.setattr(socket.socket, "connect", refused)
    monkeypatch.setattr(socket.socket, "connect_ex", refused)
    monkeypatch.setattr(subprocess.Popen, "__init__", refused)
