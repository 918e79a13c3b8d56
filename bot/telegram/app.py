"""Running the Telegram bot: `run_telegram(settings)` for `oclep-bot run`, `serve` for tests."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import AsyncIterator, Sequence
from typing import Final

from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from aiohttp import web

from bot import systemd
from bot.health import ErrorCounter, Health, watchdog_loop
from bot.i18n import Catalogs
from bot.runtime import open_service
from bot.settings import BotSettings, SettingsError
from bot.telegram.health_http import CountingSession, CountingSink, add_health_routes
from bot.telegram.mapping import ALLOWED_UPDATES, BotIdentity
from bot.telegram.menu import register_commands
from bot.telegram.pacing import PaceLimits, Pacer
from bot.telegram.poll_lease import polling_lease
from bot.telegram.polling import DEFAULT_POLL_SECONDS, Poller
from bot.telegram.preflight import check_local_setup
from bot.telegram.processor import UpdateProcessor
from bot.telegram.redaction import install_redaction
from bot.telegram.session import RetryPolicy, Sleep
from bot.telegram.webhook import check_webhook_secret, webhook_app, webhook_path
from storage.keys import StaffPublicKey

_log = logging.getLogger(__name__)

REQUEST_TIMEOUT_SECONDS: Final = 20


class TelegramUnavailableError(SettingsError):
    """The Bot API could not be reached at start; the message is one sentence."""


def telegram_token(settings: BotSettings) -> str:
    """The bot token, or `SettingsError` saying how to set it."""
    token = settings.telegram_token.get_secret_value() if settings.telegram_token else ""
    if not token.strip():
        raise SettingsError(
            "OCLEP_TELEGRAM_TOKEN is not set; put the token @BotFather gave you in the "
            "environment or in .env."
        )
    return token.strip()


def run_telegram(settings: BotSettings) -> None:
    """Run the bot until SIGTERM or SIGINT; polling unless OCLEP_WEBHOOK_URL is set.

    Raises `SettingsError` (one sentence) for a missing token, a refused token, an
    unreachable API or a bad webhook setting, and the errors of `check_local_setup` for a
    bad key, database, server secret or questionnaire (all checked before Telegram is
    contacted); the CLI shows them and exits with code 2.
    """
    token = telegram_token(settings)
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    install_redaction([token, secret])
    asyncio.run(_serve_until_signal(settings))


async def _serve_until_signal(settings: BotSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    ready = asyncio.Event()
    freezing = asyncio.create_task(_freeze_heap_when(ready))
    try:
        await serve(settings, stop, ready=ready)
    finally:
        freezing.cancel()
        for signum in signals:
            loop.remove_signal_handler(signum)
    _log.info("stopped")


async def _freeze_heap_when(ready: asyncio.Event) -> None:
    """Once the bot serves, what start-up loaded (aiogram's and pydantic's models, the
    questionnaire, the catalogs, the database's statements) lives as long as the process:
    `gc.freeze` takes it out of the garbage collector's sight, so a full collection scans
    only what was made since. Each one walked the whole heap (~280 000 objects) with the
    event loop stopped: 14 of them took 3.2 s of one bench/bot.py round (docs/benchmarks.md).
    In this process only (`oclep-bot run`), not in `serve`, which tests call many times."""
    await ready.wait()
    gc.collect()
    gc.freeze()


async def serve(
    settings: BotSettings,
    stop: asyncio.Event,
    *,
    ready: asyncio.Event | None = None,
    staff_key: StaffPublicKey | None = None,
    allowed_updates: Sequence[str] | None = ALLOWED_UPDATES,
    poll_seconds: int = DEFAULT_POLL_SECONDS,
    retry_policy: RetryPolicy | None = None,
    sleep: Sleep = asyncio.sleep,
) -> None:
    """Run the bot until `stop` is set, then finish in-flight updates and close everything.

    Local settings are checked (`check_local_setup`) before the first Bot API call.
    `ready` is set once updates are being received. `staff_key` overrides the key file of
    the settings (tests); `allowed_updates=None` receives every update kind (tests);
    `sleep` serves the retries' waits (tests scale time with it).
    """
    telegram_token(settings)  # a missing token is the first thing to say
    webhook_secret = None
    if settings.webhook_url:
        raw_secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        webhook_secret = check_webhook_secret(raw_secret)
        webhook_path(settings.webhook_url)  # fail before connecting if the URL is unusable
    # Every local problem is reported before the first Bot API call: offline, getMe's
    # retries would otherwise bury a wrong key path under a network error.
    key = await check_local_setup(settings, staff_key=staff_key)
    # A second polling process is refused before it calls Telegram at all.
    lease = (
        contextlib.nullcontext()
        if settings.webhook_url
        else polling_lease(settings.effective_database_url)
    )
    async with lease:
        await _serve(
            settings,
            stop,
            key,
            webhook_secret,
            ready,
            allowed_updates,
            poll_seconds,
            retry_policy,
            sleep,
        )


async def _serve(
    settings: BotSettings,
    stop: asyncio.Event,
    key: StaffPublicKey,
    webhook_secret: str | None,
    ready: asyncio.Event | None,
    allowed_updates: Sequence[str] | None,
    poll_seconds: int,
    retry_policy: RetryPolicy | None,
    sleep: Sleep,
) -> None:
    token = telegram_token(settings)
    session = CountingSession(
        api=TelegramAPIServer.from_base(settings.telegram_api_base),
        timeout=REQUEST_TIMEOUT_SECONDS,
        policy=retry_policy,
        sleep=sleep,
    )
    pacer = (
        Pacer(PaceLimits.overall(settings.telegram_messages_per_second)).install(session)
        if settings.telegram_pacing
        else None
    )
    bot = Bot(token, session=session)
    try:
        identity = await _identify(bot, settings)
        async with open_service(settings, staff_key=key, bot_username=identity.username) as service:
            if pacer is not None:  # several workers on one database keep one set of limits
                pacer.shared = service.shared_pacing
            health = Health(service.database, polling=not webhook_secret, poll_seconds=poll_seconds)
            session.health = health
            catalogs = Catalogs.load()
            await register_commands(bot, catalogs)
            processor = UpdateProcessor(
                bot,
                service.conversation,
                identity,
                catalogs,
                default_locale=settings.default_locale,
            )
            async with _health_signals(settings, health, stop):
                if settings.webhook_url and webhook_secret:
                    await _serve_webhook(
                        bot,
                        processor,
                        settings,
                        webhook_secret,
                        allowed_updates,
                        stop,
                        ready,
                        health,
                    )
                else:
                    await bot.delete_webhook(drop_pending_updates=False)
                    _log.info("polling for updates")
                    _ready(ready)
                    poller = Poller(
                        bot,
                        processor,
                        poll_seconds=poll_seconds,
                        allowed_updates=allowed_updates,
                        grace_seconds=settings.stop_grace_seconds,
                    )
                    await poller.run(stop)
    finally:
        await session.close()


def _ready(ready: asyncio.Event | None) -> None:
    """Updates are being received: tell the caller, and systemd (Type=notify)."""
    if ready is not None:
        ready.set()
    systemd.notify(systemd.READY, "STATUS=receiving updates")


@contextlib.asynccontextmanager
async def _health_signals(
    settings: BotSettings, health: Health, stop: asyncio.Event
) -> AsyncIterator[None]:
    """While the bot runs: count errors, feed systemd's watchdog, serve the metrics listener."""
    counter = ErrorCounter(health.counters)
    logging.getLogger("bot").addHandler(counter)
    tasks: list[asyncio.Task[None]] = []
    interval = systemd.watchdog_seconds()
    if interval is not None:
        tasks.append(asyncio.create_task(watchdog_loop(health, interval, stop)))
    metrics: web.AppRunner | None = None
    try:
        if settings.metrics_listen:
            host, port = settings.metrics_host_port
            app = web.Application()
            add_health_routes(app, health, metrics=True)
            metrics = web.AppRunner(app, access_log=None)
            await metrics.setup()
            await web.TCPSite(metrics, host, port).start()
        yield
    finally:
        systemd.notify(systemd.STOPPING)
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if metrics is not None:
            await metrics.cleanup()
        logging.getLogger("bot").removeHandler(counter)


async def _identify(bot: Bot, settings: BotSettings) -> BotIdentity:
    try:
        me = await bot.get_me()
    except TelegramUnauthorizedError:
        raise SettingsError(
            "Telegram refused OCLEP_TELEGRAM_TOKEN; copy the token again from @BotFather."
        ) from None
    except TelegramAPIError as error:
        raise TelegramUnavailableError(
            f"Cannot reach the Telegram Bot API at {settings.telegram_api_base} "
            f"({type(error).__name__}); check the network or OCLEP_TELEGRAM_API_BASE."
        ) from None
    return BotIdentity(user_id=me.id, username=me.username)


async def _serve_webhook(
    bot: Bot,
    processor: UpdateProcessor,
    settings: BotSettings,
    secret: str,
    allowed_updates: Sequence[str] | None,
    stop: asyncio.Event,
    ready: asyncio.Event | None,
    health: Health,
) -> None:
    assert settings.webhook_url is not None
    host, port = settings.webhook_host_port
    app = webhook_app(
        CountingSink(processor, health), secret=secret, path=webhook_path(settings.webhook_url)
    )
    add_health_routes(app, health, metrics=False)
    # shutdown_timeout: requests being handled at SIGTERM get this long to finish.
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=settings.stop_grace_seconds)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        await bot.set_webhook(
            settings.webhook_url,
            secret_token=secret,
            allowed_updates=None if allowed_updates is None else list(allowed_updates),
            drop_pending_updates=False,
        )
        _log.info("receiving updates by webhook")
        _ready(ready)
        await stop.wait()
    finally:
        await runner.cleanup()
