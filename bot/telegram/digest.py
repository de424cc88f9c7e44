"""The counselors' digest on Telegram: `/digest` sends it now, `/digest monday` chooses the day it
comes each week. PTB's JobQueue sends it; each counselor's day is kept in the log database (by
pseudonymous key), so the schedule survives a restart."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Callable
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes

from bot.errors import ConfigError
from bot.review.digest import WEEKDAYS, saved_days, save_day, weekday
from bot.review.log import QuestionLog
from . import texts
from .handlers import services

log = logging.getLogger("careerbot.telegram")

SEND_AT = dt.time(9, 0)  # in the counselors' time zone
DEFAULT_DAY = 0          # Monday


@dataclass
class Digests:
    counselors: frozenset[int]
    timezone: str
    build: Callable[[], str]   # the digest as Telegram HTML; slow (groups a week): run off the event loop


def _job_name(user_id: int) -> str:
    return f"digest:{user_id}"


def schedule(app: Application, user_id: int, day: int, digests: Digests) -> None:
    """Send the digest to one counselor every `day` (0 Monday .. 6 Sunday) at SEND_AT local time."""
    jobs = app.job_queue
    if jobs is None:  # PTB leaves it out when installed without its job-queue extra (APScheduler)
        raise ConfigError("the digest is sent by PTB's JobQueue: install python-telegram-bot[job-queue] "
                          "(pyproject.toml asks for it)")
    for job in jobs.get_jobs_by_name(_job_name(user_id)):
        job.schedule_removal()

    async def send(context: ContextTypes.DEFAULT_TYPE) -> None:
        text = await asyncio.to_thread(digests.build)
        await context.bot.send_message(user_id, text, parse_mode=ParseMode.HTML)

    jobs.run_daily(send, SEND_AT.replace(tzinfo=ZoneInfo(digests.timezone)), days=((day + 1) % 7,),  # PTB: 0 is Sunday
                   name=_job_name(user_id), chat_id=user_id, user_id=user_id)


def schedule_all(app: Application, digests: Digests, question_log: QuestionLog) -> None:
    days = saved_days(question_log)
    for user_id in sorted(digests.counselors):
        schedule(app, user_id, days.get(question_log.user_key(user_id), DEFAULT_DAY), digests)


async def command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return  # not a new message with a sender: the handler's filter passes no other
    user_id = user.id
    if s.digests is None or user_id not in s.digests.counselors:
        await message.reply_text(texts.NOT_COUNSELOR)
        return
    if context.args:
        day = weekday(" ".join(context.args))
        if day is None:
            await message.reply_text(texts.DIGEST_DAY_UNKNOWN)
            return
        await asyncio.to_thread(save_day, s.log, s.log.user_key(user_id), day)
        schedule(context.application, user_id, day, s.digests)
        await message.reply_text(texts.DIGEST_DAY_SET.format(
            day=WEEKDAYS[day].capitalize(), time=SEND_AT.strftime("%H:%M"), zone=s.digests.timezone))
        return
    text = await asyncio.to_thread(s.digests.build)
    await message.reply_text(text, parse_mode=ParseMode.HTML)
