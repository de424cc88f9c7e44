"""`careerbot faq serve` ends with its parent: SIGTERM or Ctrl-C stops Datasette and frees the port."""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from bot.review.log import QuestionLog


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_faq_serve_stops_datasette_and_frees_the_port(tmp_path, monkeypatch, sig):
    monkeypatch.delenv("CAREERBOT_LOG_SALT", raising=False)
    QuestionLog(tmp_path / "data").close()
    port = free_port()
    env = dict(os.environ, CAREERBOT_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "faq", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait(lambda: listening(port), 60), proc.stderr.read() if proc.poll() is not None else "not listening"
        proc.send_signal(sig)  # Ctrl-C in a terminal reaches only what it is sent to here: the parent
        assert proc.wait(20) == 0
        assert wait(lambda: not listening(port), 5)
    finally:
        if proc.poll() is None:
            proc.kill()
