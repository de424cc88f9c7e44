"""`careerbot serve` as a real process: polling, webhook with its secret, and token hygiene."""

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.usefixtures("kb_assistant")  # builds the session index the processes serve

from tests.bot_runner import TOKEN
from tests.fake_bot_api import FakeBotAPI, message


def serve_env(kb_settings, tmp_path, api=None, **extra):
    """Environment for a serve process over the session index (built by the kb_assistant fixture)."""
    env = dict(os.environ, CAREERBOT_INDEX_DIR=str(kb_settings.index_dir),
               CAREERBOT_DATA_DIR=str(tmp_path / "data"), CAREERBOT_KNOWLEDGE_DIR=str(kb_settings.knowledge_dir),
               TELEGRAM_BOT_TOKEN=TOKEN, PYTHONUNBUFFERED="1")
    if api is not None:
        env["TELEGRAM_API_BASE_URL"] = api.base_url
    env.update(extra)
    return env


def start(env, *args):
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(proc) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return out + err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_missing_token_is_one_clear_line(kb_settings, tmp_path):
    env = serve_env(kb_settings, tmp_path)
    env.pop("TELEGRAM_BOT_TOKEN")
    out = subprocess.run([sys.executable, "-m", "bot.cli", "serve"], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and "TELEGRAM_BOT_TOKEN is not set" in out.stderr


def test_rejected_token_is_one_clear_line_without_the_token(kb_settings, tmp_path):
    api = FakeBotAPI("999:another-token").start()
    try:
        out = subprocess.run([sys.executable, "-m", "bot.cli", "serve"], env=serve_env(kb_settings, tmp_path, api),
                             capture_output=True, text=True, timeout=120)
    finally:
        api.stop()
    assert out.returncode == 2
    assert "Telegram rejected the bot token" in out.stderr and "Traceback" not in out.stderr
    assert TOKEN not in out.stdout + out.stderr and TOKEN.split(":")[1] not in out.stderr


# Ten digits, so it cannot turn up by chance in a timestamp or a hex user key.
RAW_ID = 7_771_234_567


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        body = exc.read()
        return exc.code, json.loads(body) if body.startswith(b"{") else {}


def json_lines(logs: str) -> list[dict]:
    """Every log line must be a JSON object (CAREERBOT_LOG_FORMAT=json)."""
    return [json.loads(line) for line in logs.splitlines() if line.strip()]


QUESTION = "how long does it take to become a medical assistant"


def test_polling_answers_logs_json_lines_serves_health_and_never_logs_the_token(kb_settings, tmp_path, fake_api):
    port = free_port()
    proc = start(serve_env(kb_settings, tmp_path, fake_api, CAREERBOT_LOG_FORMAT="json"), "--health-port", str(port))
    try:
        fake_api.push(message(RAW_ID, QUESTION))
        reply = fake_api.wait_replies(RAW_ID, 1, timeout=90)[-1]
        assert "Source:" in reply["text"]
        assert fake_api.calls_of("setMyCommands") and fake_api.calls_of("deleteWebhook")
        fake_api.push(message(RAW_ID, "/help"))
        fake_api.wait_replies(RAW_ID, 2, timeout=30)
        status, health = fake_api.wait_for(lambda: (h := get_json(f"http://127.0.0.1:{port}/healthz"))[1].get(
            "updates_handled") == 2 and h, timeout=30)
        version = kb_settings.index_dir.joinpath("current").readlink().name
        assert status == 200 and health["status"] == "ok" and health["mode"] == "polling"
        assert health["index"]["version"] == version and health["index"]["age_s"] >= 0
        assert health["questions_answered"] == 1 and health["uptime_s"] > 0
    finally:
        logs = stop(proc)
    assert TOKEN not in logs and "Traceback" not in logs
    lines = json_lines(logs)  # every line parses: no stray text from a library
    started = [x for x in lines if x["message"].startswith("careerbot ") and x.get("mode")]
    assert started and started[0]["mode"] == "polling" and started[0]["health_port"] == port
    assert started[0]["index"] == version and started[0]["documents"] > 40 and started[0]["passages"] > 300
    updates = [x for x in lines if x["logger"] == "careerbot.updates"]
    assert [(u["kind"], u["status"]) for u in updates] == [("question", "answered"), ("command", "ok")]
    asked = updates[0]
    assert asked["chat"] == "private" and asked["top_doc"] != "-" and asked["index"] == version
    assert asked["ms"] > 0 and len(asked["user"]) >= 16 and str(RAW_ID) not in json.dumps(updates)
    assert "become a medical assistant" not in logs  # never the question's text
    assert not any(x["logger"] == "faiss.loader" for x in lines)
    db = (tmp_path / "data" / "careerbot.db").read_bytes()
    assert TOKEN.encode() not in db and str(RAW_ID).encode() not in db  # no raw user id
    # The description was set on this first start, with what the bot does and does not do.
    assert len(fake_api.calls_of("setMyDescription")) == 1 and len(fake_api.calls_of("setMyShortDescription")) == 1
    assert "medical advice" in fake_api.calls_of("setMyDescription")[0]["description"]


def test_description_is_set_once_per_change_not_on_every_start(kb_settings, tmp_path, fake_api):
    for _ in range(2):
        proc = start(serve_env(kb_settings, tmp_path, fake_api))
        fake_api.push(message(203, "/help"))
        fake_api.wait_replies(203, len(fake_api.replies_to(203)) + 1, timeout=90)
        stop(proc)
    assert len(fake_api.calls_of("setMyDescription")) == 1 and len(fake_api.calls_of("setMyShortDescription")) == 1
    assert len(fake_api.calls_of("setMyCommands")) == 2


def test_webhook_requires_the_secret_and_listens_at_the_url_path(kb_settings, tmp_path, fake_api):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    proc = start(serve_env(kb_settings, tmp_path, fake_api, PORT=str(port), WEBHOOK_URL=url,
                           WEBHOOK_SECRET="s3cret-value"), "--webhook")
    try:
        registered = fake_api.wait_for(lambda: fake_api.calls_of("setWebhook"), timeout=90)[-1]
        assert registered["url"] == url and registered["secret_token"] == "s3cret-value"
        update = json.dumps({"update_id": 1, **message(202, "what is a cma")}).encode()

        def post(headers):
            req = urllib.request.Request(url, data=update, method="POST",
                                         headers={"Content-Type": "application/json", **headers})
            try:
                return urllib.request.urlopen(req, timeout=10).status
            except urllib.error.HTTPError as exc:
                return exc.code

        fake_api.wait_for(lambda: _listening(port), timeout=30)
        assert post({}) == 403
        assert post({"X-Telegram-Bot-Api-Secret-Token": "wrong"}) == 403
        assert not fake_api.replies_to(202)
        assert post({"X-Telegram-Bot-Api-Secret-Token": "s3cret-value"}) == 200
        reply = fake_api.wait_replies(202, 1, timeout=30)[-1]
        assert "CMA" in reply["text"]
        # The same server answers /healthz; the webhook path takes no GET.
        status, health = fake_api.wait_for(
            lambda: (h := get_json(f"http://127.0.0.1:{port}/healthz"))[1].get("questions_answered") == 1 and h)
        assert status == 200 and health["mode"] == "webhook" and health["inbox_backlog"] == 0
        assert health["index"]["version"] == kb_settings.index_dir.joinpath("current").readlink().name
        assert get_json(url)[0] == 405
    finally:
        logs = stop(proc)
    assert TOKEN not in logs and "Traceback" not in logs
    assert "mode=webhook" in logs and f"port={port}" in logs and "path=/telegram" in logs  # the start-up line
    assert "kind=question status=answered" in logs and "what is a cma" not in logs


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("extra, words", [
    ({"WEBHOOK_URL": "", "WEBHOOK_SECRET": "x"}, "WEBHOOK_URL"),
    ({"WEBHOOK_URL": "https://example.org/telegram", "WEBHOOK_SECRET": ""}, "WEBHOOK_SECRET"),
    ({"ADMIN_USER_IDS": "12,abc", "WEBHOOK_URL": "https://example.org/telegram", "WEBHOOK_SECRET": "x"},
     "ADMIN_USER_IDS"),  # one problem, one line (each problem found is listed, a line each)
    ({"WEBHOOK_URL": "https://example.org/telegram", "WEBHOOK_SECRET": "x", "CAREERBOT_HEALTH_PORT": "http"},
     "CAREERBOT_HEALTH_PORT"),
])
def test_webhook_and_admin_settings_are_checked_first(kb_settings, tmp_path, extra, words):
    out = subprocess.run([sys.executable, "-m", "bot.cli", "serve", "--webhook"],
                         env=serve_env(kb_settings, tmp_path, **extra), capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and words in out.stderr and out.stderr.count("\n") == 1


WEBHOOK = {"WEBHOOK_URL": "https://example.org/telegram", "WEBHOOK_SECRET": "s3cret"}


@pytest.mark.parametrize("extra, words", [
    ({**WEBHOOK, "PORT": "99999"}, "PORT must be a port number"),
    ({**WEBHOOK, "PORT": "0"}, "PORT must be a port number"),
    ({**WEBHOOK, "WEBHOOK_URL": "http://example.org/telegram"}, "WEBHOOK_URL"),
    ({**WEBHOOK, "WEBHOOK_URL": "https://example.org"}, "with a path"),
    ({**WEBHOOK, "WEBHOOK_URL": "telegram"}, "WEBHOOK_URL"),
    ({**WEBHOOK, "TELEGRAM_MAX_MESSAGES_PER_SECOND": "-5"}, "TELEGRAM_MAX_MESSAGES_PER_SECOND"),
    ({**WEBHOOK, "TELEGRAM_MAX_MESSAGES_PER_SECOND": "nan"}, "TELEGRAM_MAX_MESSAGES_PER_SECOND"),
    ({**WEBHOOK, "TELEGRAM_MAX_MESSAGES_PER_SECOND": "inf"}, "TELEGRAM_MAX_MESSAGES_PER_SECOND"),
    ({**WEBHOOK, "ADMIN_USER_IDS": "12,-3"}, "ADMIN_USER_IDS"),
    ({**WEBHOOK, "CAREERBOT_DATA_DIR": "/proc/1"}, "not writable"),  # not even root may write there
    ({**WEBHOOK, "CAREERBOT_LOG_FORMAT": "xml"}, "CAREERBOT_LOG_FORMAT"),  # read before serve starts
])
def test_each_bad_setting_is_one_line_and_exit_code_2(kb_settings, tmp_path, extra, words):
    out = subprocess.run([sys.executable, "-m", "bot.cli", "serve", "--webhook"],
                         env=serve_env(kb_settings, tmp_path, **extra), capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and words in out.stderr and out.stderr.count("\n") == 1, out.stderr
    assert "Traceback" not in out.stderr


def test_a_data_dir_that_is_a_file_and_a_port_in_use_are_both_named(kb_settings, tmp_path):
    a_file = tmp_path / "data-file"
    a_file.write_text("not a directory")
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "bot.cli", "serve", "--webhook"],
                             env=serve_env(kb_settings, tmp_path, **WEBHOOK, PORT=str(port),
                                           CAREERBOT_DATA_DIR=str(a_file)),
                             capture_output=True, text=True, timeout=60)
    lines = out.stderr.splitlines()
    assert out.returncode == 2 and len(lines) == 2, out.stderr
    assert f"PORT {port} is already in use" in lines[0] and "is a file" in lines[1]


def test_polling_refuses_bad_settings_too(kb_settings, tmp_path):
    out = subprocess.run([sys.executable, "-m", "bot.cli", "serve"],
                         env=serve_env(kb_settings, tmp_path, TELEGRAM_MAX_MESSAGES_PER_SECOND="fast"),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "'fast'" in out.stderr
