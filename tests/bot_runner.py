"""Run the real careerbot Application in-process, polling a FakeBotAPI, on its own event loop."""

from __future__ import annotations

import asyncio
import threading

from bot.telegram.app import _post_init, build_application
from bot.telegram.handlers import Services

TOKEN = "123456:TEST-token-never-printed_abcdefghij"


class BotRunner:
    def __init__(self, services: Services, api):
        self.app = build_application(services, TOKEN, api.base_url)
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.error: BaseException | None = None

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._main())
        except BaseException as exc:  # surfaced to the test by start()
            self.error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        await self.app.initialize()
        await _post_init(self.app)
        await self.app.updater.start_polling(poll_interval=0, timeout=1)
        await self.app.start()
        self._ready.set()
        await self._stop.wait()
        await self.app.updater.stop()
        await self.app.stop()
        await self.app.shutdown()

    def start(self) -> "BotRunner":
        self._thread.start()
        self._ready.wait(30)
        if self.error:
            raise self.error
        return self

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)
