"""Shared test setup: every test runs with a temporary HOME and with real networking refused."""

from __future__ import annotations

import socket

import pytest


@pytest.fixture(autouse=True)
def _temporary_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("MPLCONFIGDIR", str(home / "mpl"))
    yield


class SocketCreated(AssertionError):
    pass


@pytest.fixture
def no_sockets(monkeypatch):
    """Fail the test if anything creates a socket while it runs (labsim must never touch a network)."""
    made = []
    real = socket.socket

    class Guarded(real):
        def __init__(self, *args, **kwargs):
            made.append(args)
            raise SocketCreated(f"a socket was created: {args}")

    monkeypatch.setattr(socket, "socket", Guarded)
    yield made
