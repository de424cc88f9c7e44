"""A local stand-in for the Telegram Bot API, for end-to-end tests over real HTTP.

It implements the methods careerbot uses (getMe, deleteWebhook, setWebhook, setMyCommands,
setMyDescription, setMyShortDescription, getUpdates with long polling, sendMessage,
sendChatAction, answerCallbackQuery, editMessageReplyMarkup, editMessageText), records every call,
and can inject faults (429 with retry_after, 500s, timeouts, Telegram's 400 and 403 answers) into
chosen methods.

Updates are held the way Telegram holds them: getUpdates returns them until it is called with a
higher offset, which confirms them; after setWebhook they are POSTed to the webhook instead, in
order, and retried until the bot answers 200.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

BOT_ID = 7000001
BOT_USERNAME = "careerbot_test_bot"


def _decode(value: str):
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            pass
    return value


class FakeBotAPI:
    def __init__(self, token: str):
        self.token = token
        self.calls: list[tuple[str, dict]] = []
        self.sent: list[dict] = []          # sendMessage payloads that were answered OK
        self.delivered: list[int] = []      # update ids POSTed to the webhook and answered 200
        self.pushed_at: dict[int, float] = {}  # update id -> time.monotonic() when queued
        self.faults: dict[str, list] = defaultdict(list)
        self.outages: dict[str, tuple[float, int]] = {}
        self.chat_faults: dict[tuple[str, str], dict] = {}  # (method, chat id) -> Telegram's error answer
        self.webhook: dict | None = None   # {"url": ..., "secret_token": ...} after setWebhook
        self._updates: list[dict] = []
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._closed = False
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                api._handle(self)

            do_GET = do_POST

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client that hung up mid-long-poll (the bot stopping) is not an error

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/bot"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._sender = threading.Thread(target=self._deliver_webhooks, daemon=True)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> "FakeBotAPI":
        self._thread.start()
        self._sender.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self.server.shutdown()
        self.server.server_close()

    # -- what tests do ---------------------------------------------------------------------
    def push(self, update: dict) -> int:
        with self._cond:
            update = {"update_id": next(self._ids), **update}
            self.pushed_at[update["update_id"]] = time.monotonic()
            self._updates.append(update)
            self._cond.notify_all()
            return update["update_id"]

    def fail(self, method: str, *faults) -> None:
        """Queue faults for the next calls of a method: an int status (429 adds retry_after=1),
        or 'timeout' (the request hangs past the client's timeout)."""
        self.faults[method].extend(faults)

    def fail_for(self, method: str, seconds: float, status: int = 500) -> None:
        """Answer every call of a method with `status` for the next `seconds` (an outage)."""
        self.outages[method] = (time.monotonic() + seconds, status)

    def fail_chat(self, method: str, chat_id: int, status: int, description: str, **parameters) -> None:
        """Answer every call of `method` for one chat with a Telegram error, as the Bot API words it
        (403 'bot was blocked by the user', 400 with migrate_to_chat_id, ...)."""
        body = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        self.chat_faults[(method, str(chat_id))] = body

    def calls_of(self, method: str) -> list[dict]:
        return [p for m, p in list(self.calls) if m == method]

    def wait_for(self, predicate, timeout: float = 20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.02)
        raise AssertionError("timed out waiting for the bot")

    def replies_to(self, chat_id: int) -> list[dict]:
        return [m for m in list(self.sent) if str(m.get("chat_id")) == str(chat_id)]

    def wait_replies(self, chat_id: int, n: int = 1, timeout: float = 20.0) -> list[dict]:
        return self.wait_for(lambda: (r := self.replies_to(chat_id)) and len(r) >= n and r, timeout)

    # -- HTTP --------------------------------------------------------------------------------
    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length).decode() if length else ""
        ctype = req.headers.get("Content-Type", "")
        if "json" in ctype:
            params = json.loads(raw or "{}")
        else:
            params = {k: _decode(v[0]) for k, v in parse_qs(raw).items()}
        path = req.path.split("?")[0]
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return self._send(req, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        method = path[len(prefix):]
        self.calls.append((method, params))
        fault = self.faults[method].pop(0) if self.faults.get(method) else None
        until, status = self.outages.get(method, (0.0, 0))
        if fault is None and time.monotonic() < until:
            fault = status
        if fault is None and (body := self.chat_faults.get((method, str(params.get("chat_id"))))):
            return self._send(req, body["error_code"], body)
        if isinstance(fault, dict):  # a whole error answer, e.g. {"error_code": 400, "description": ...}
            return self._send(req, fault["error_code"], {"ok": False, **fault})
        if fault == "timeout":
            time.sleep(float(params.get("_hang", 8)))
            return self._send(req, 504, {"ok": False, "error_code": 504, "description": "Gateway Timeout"})
        if fault == 429:
            return self._send(req, 429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                                         "parameters": {"retry_after": 1}})
        if isinstance(fault, int):
            return self._send(req, fault, {"ok": False, "error_code": fault, "description": "Internal Server Error"})
        handler = getattr(self, "m_" + method, None)
        if handler is None:
            return self._send(req, 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})
        self._send(req, 200, {"ok": True, "result": handler(params)})

    def _send(self, req, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        req.send_response(status)
        req.send_header("Content-Type", "application/json")
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)

    # -- methods -----------------------------------------------------------------------------
    def _bot_user(self) -> dict:
        return {"id": BOT_ID, "is_bot": True, "first_name": "careerbot", "username": BOT_USERNAME}

    def m_getMe(self, p):
        return self._bot_user() | {"can_join_groups": True, "can_read_all_group_messages": False,
                                   "supports_inline_queries": False}

    def m_deleteWebhook(self, p):
        with self._cond:
            self.webhook = None
        return True

    def m_setWebhook(self, p):
        with self._cond:
            self.webhook = {"url": p["url"], "secret_token": p.get("secret_token")}
            self._cond.notify_all()
        return True

    def _deliver_webhooks(self) -> None:
        """Telegram's side of a webhook: POST each update in order; on anything but 200 (the bot
        down, restarting) keep it and try again."""
        while True:
            with self._cond:
                while not self._closed and not (self.webhook and self._updates):
                    self._cond.wait(0.5)
                if self._closed:
                    return
                hook, update = dict(self.webhook), self._updates[0]
            req = urllib.request.Request(hook["url"], data=json.dumps(update).encode(), method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "X-Telegram-Bot-Api-Secret-Token": hook["secret_token"] or ""})
            try:
                ok = urllib.request.urlopen(req, timeout=10).status == 200
            except (urllib.error.URLError, OSError):
                ok = False
            with self._cond:
                if ok and self._updates and self._updates[0] is update:
                    self._updates.pop(0)
                    self.delivered.append(update["update_id"])
            if not ok:
                time.sleep(0.2)

    def m_setMyCommands(self, p):
        return True

    def m_setMyDescription(self, p):
        assert len(p.get("description", "")) <= 512, "Telegram allows at most 512 characters"
        return True

    def m_setMyShortDescription(self, p):
        assert len(p.get("short_description", "")) <= 120, "Telegram allows at most 120 characters"
        return True

    def m_getUpdates(self, p):
        offset = int(p.get("offset") or 0)
        timeout = min(float(p.get("timeout") or 0), 5.0)
        deadline = time.monotonic() + timeout
        with self._cond:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self._closed and time.monotonic() < deadline:
                self._cond.wait(deadline - time.monotonic())
            return list(self._updates[: int(p.get("limit") or 100)])

    def _message(self, p: dict, text: str | None = None) -> dict:
        chat_id = int(p["chat_id"])
        msg = {"message_id": next(self._message_ids), "date": int(time.time()),
               "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
               "from": self._bot_user(), "text": text if text is not None else p.get("text", "")}
        if p.get("reply_markup"):
            msg["reply_markup"] = p["reply_markup"]
        return msg

    def m_sendMessage(self, p):
        msg = self._message(p)
        self.sent.append(p | {"message_id": msg["message_id"], "sent_at": time.monotonic()})
        return msg

    def m_sendChatAction(self, p):
        return True

    def m_answerCallbackQuery(self, p):
        return True

    def m_editMessageReplyMarkup(self, p):
        return self._message(p, text="")

    def m_editMessageText(self, p):
        return self._message(p)


# -- update builders ------------------------------------------------------------------------
_msg_ids = itertools.count(1)


def user(user_id: int) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": "Test", "username": f"user{user_id}",
            "language_code": "en"}


def message(user_id: int, text: str | None = None, chat_id: int | None = None, chat_type: str = "private",
            **extra) -> dict:
    chat_id = user_id if chat_id is None else chat_id
    msg = {"message_id": next(_msg_ids), "date": int(time.time()), "from": user(user_id),
           "chat": {"id": chat_id, "type": chat_type, **({"title": "A group"} if chat_type != "private" else {})}}
    if text is not None:
        msg["text"] = text
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        elif f"@{BOT_USERNAME}" in text:
            msg["entities"] = [{"type": "mention", "offset": text.index("@"), "length": len(BOT_USERNAME) + 1}]
    msg.update(extra)
    return {"message": msg}


def callback(user_id: int, data: str, sent: dict | None = None, chat_id: int | None = None) -> dict:
    chat_id = user_id if chat_id is None else chat_id
    msg = {"message_id": (sent or {}).get("message_id", 1), "date": int(time.time()),
           "chat": {"id": chat_id, "type": "private"}, "from": {"id": BOT_ID, "is_bot": True, "first_name": "careerbot"},
           "text": (sent or {}).get("text", "")}
    if sent and sent.get("reply_markup"):
        msg["reply_markup"] = sent["reply_markup"]
    return {"callback_query": {"id": str(next(_msg_ids)), "from": user(user_id), "chat_instance": "1",
                               "data": data, "message": msg}}
