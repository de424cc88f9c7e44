"""The bot's one HTTP server: Telegram's webhook and GET /healthz on the same port.

PTB's documented custom-webhook pattern (examples/customwebhookbot, starlette + uvicorn): the
webhook route checks Telegram's secret header and puts the update on the Application's queue;
the Application runs as usual. In polling mode the same server answers /healthz alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hmac
import importlib.metadata
import json
import logging
import signal
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update

from .activity import CareerbotApplication

log = logging.getLogger("careerbot.telegram")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class Webhook:
    url: str        # the public URL Telegram calls
    path: str       # its path, where this server listens
    secret: str


def package_version() -> str:
    try:
        return importlib.metadata.version("careerbot")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def health(app: CareerbotApplication, mode: str) -> tuple[int, dict[str, Any]]:
    """What /healthz says: 200 while a published index answers, 503 when none does."""
    from .handlers import SERVICES

    from .inbox import DurableQueue

    body: dict[str, Any] = {"status": "ok", "careerbot": package_version(), "mode": mode,
            "uptime_s": app.activity.uptime_s(), "updates_handled": app.activity.updates,
            "questions_answered": app.activity.questions_answered}
    if isinstance(app.update_queue, DurableQueue):  # accepted from Telegram, not yet answered
        body["inbox_backlog"] = len(app.update_queue.in_flight)
    try:
        about = app.bot_data[SERVICES].assistant.about()
    except Exception as exc:  # the index went missing or cannot be read
        return 503, body | {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
    built = dt.datetime.fromisoformat(about["built_at"])
    age = dt.datetime.now(dt.timezone.utc) - built
    body["index"] = {"version": about["version"], "built_at": about["built_at"],
                     "age_s": int(age.total_seconds()), "documents": about["documents"],
                     "passages": about["passages"]}
    return 200, body


def web_app(app: CareerbotApplication, mode: str, webhook: Webhook | None) -> Starlette:
    async def healthz(request: Request) -> Response:
        status, body = health(app, mode)
        return JSONResponse(body, status_code=status)

    routes = [Route("/healthz", healthz, methods=["GET"])]
    if webhook is not None:
        routes.append(Route("/" + webhook.path.lstrip("/"), _webhook_endpoint(app, webhook.secret), methods=["POST"]))
    return Starlette(routes=routes)


def _webhook_endpoint(app: CareerbotApplication, secret: str) -> Callable[[Request], Awaitable[Response]]:
    async def telegram(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return Response(status_code=403)
        try:
            update = Update.de_json(await request.json(), app.bot)
        except (ValueError, TypeError, KeyError, json.JSONDecodeError):
            return Response(status_code=400)
        await app.update_queue.put(update)
        return Response()

    return telegram


class _Server(uvicorn.Server):
    """uvicorn, stopping on SIGINT/SIGTERM through the event loop, so the Application is then
    stopped in order (uvicorn's own handling re-raises the signal after it stops, which would
    end the process before the Application and the log are closed)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.handle_exit, sig, None)
        try:
            yield
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)


async def run(app: CareerbotApplication, *, port: int, webhook: Webhook | None, host: str = "0.0.0.0") -> None:
    """Start the Application (polling when there is no webhook), serve HTTP until a signal, stop."""
    mode = "webhook" if webhook else "polling"
    server = _Server(uvicorn.Config(web_app(app, mode, webhook), host=host, port=port, log_config=None,
                                    access_log=False, lifespan="off", server_header=False))
    async with app:  # initialize() (getMe) ... shutdown()
        if app.post_init:
            await app.post_init(app)
        if webhook:
            await app.bot.set_webhook(webhook.url, secret_token=webhook.secret)
        elif app.updater is None:  # only an Application built with .updater(None); build_application gives one
            raise ValueError("polling needs the Application's Updater: build it with build_application")
        else:
            await app.updater.start_polling()
        await app.start()
        try:
            await server.serve()
        finally:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            await app.stop()
