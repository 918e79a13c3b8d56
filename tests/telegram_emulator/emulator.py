"""BotApiEmulator: start the fake Telegram, create users and chats, inspect what the bot did."""

from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from .activity import ActivitySignal
from .actors import SharedChat, SimulatedUser, inject_raw_update
from .calls import ApiCall
from .chats import ChatRegistry
from .clock import EmulatorClock
from .faults import Faults
from .flood import FloodControl, FloodLimits
from .methods import BotApi, BotProfile, CallbackQueryRecord
from .server import EmulatorServer
from .updates import UpdateQueue
from .webhook import RetryPolicy, WebhookDeliverer, WebhookDelivery, WebhookSecretMode

DEFAULT_TOKEN = "123456789:AAEmulatorTestTokenNotReal_0123456789"
_FIRST_GROUP_ID = -4_000_000_001
_FIRST_CHANNEL_ID = -1_009_000_000_001


class BotApiEmulator:
    """A Telegram Bot API server on 127.0.0.1 for one bot token, with a chat model."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "oclep_test_bot",
        bot_first_name: str = "OCLEP test",
        clock: EmulatorClock | None = None,
        webhook_retry: RetryPolicy | None = None,
    ) -> None:
        bot_id = token.split(":", 1)[0]
        self.clock = clock or EmulatorClock()
        self.faults = Faults()
        self.chats = ChatRegistry()
        self.queue = UpdateQueue()
        self.signal = ActivitySignal()
        self.webhook = WebhookDeliverer(
            self.queue, self.clock, self.signal, webhook_retry or RetryPolicy(), self.faults
        )
        profile = BotProfile(
            user_id=int(bot_id) if bot_id.isdigit() else 1,
            first_name=bot_first_name,
            username=bot_username,
        )
        self.api = BotApi(
            token, profile, self.chats, self.queue, self.clock, self.webhook, self.faults
        )
        self._server = EmulatorServer(self.api, self.signal)
        self._users: dict[int, SimulatedUser] = {}
        self._shared_chats = 0

    @classmethod
    async def start(
        cls,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "oclep_test_bot",
        clock: EmulatorClock | None = None,
        webhook_retry: RetryPolicy | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        flood_limits: FloodLimits | None = None,
    ) -> Self:
        """Create and start an emulator on a free port; `flood_limits` switches on Telegram's
        flood control (429 with retry_after past the limits; off by default)."""
        emulator = cls(token, bot_username=bot_username, clock=clock, webhook_retry=webhook_retry)
        if flood_limits is not None:
            emulator._server.flood = FloodControl(flood_limits)
        await emulator._server.start(host, port)
        return emulator

    async def stop(self) -> None:
        """Answer waiting long polls, stop webhook delivery and close the server."""
        self.queue.close()
        await self.webhook.close()
        await self._server.stop()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # Where the bot connects -----------------------------------------------------------

    @property
    def api_base(self) -> str:
        """Base URL for aiogram's TelegramAPIServer.from_base (OCLEP_TELEGRAM_API_BASE)."""
        return self._server.base_url

    @property
    def token(self) -> str:
        """The only token this emulator accepts."""
        return self.api.token

    # People and chats -----------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Usuario",
        username: str | None = None,
        language_code: str | None = "es",
        last_name: str | None = None,
    ) -> SimulatedUser:
        """The respondent with this id and their private chat (created on first call)."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        profile: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            profile["last_name"] = last_name
        if username:
            profile["username"] = username
        if language_code:
            profile["language_code"] = language_code
        chat_json = {
            key: value
            for key, value in profile.items()
            if key in {"id", "first_name", "last_name", "username"}
        }
        chat = self.chats.ensure({**chat_json, "type": "private"})
        user = SimulatedUser(self.api, chat, profile)
        self._users[user_id] = user
        return user

    def group(self, title: str = "Grupo de prueba", *, supergroup: bool = False) -> SharedChat:
        """A new group (or supergroup) chat the bot is a member of."""
        self._shared_chats += 1
        if supergroup:
            chat_json = {
                "id": _FIRST_CHANNEL_ID - self._shared_chats,
                "type": "supergroup",
                "title": title,
            }
        else:
            chat_json = {
                "id": _FIRST_GROUP_ID - self._shared_chats,
                "type": "group",
                "title": title,
            }
        return SharedChat(self.api, self.chats.ensure(chat_json))

    def channel(self, title: str = "Canal de prueba") -> SharedChat:
        """A new channel the bot administers."""
        self._shared_chats += 1
        chat_json = {
            "id": _FIRST_CHANNEL_ID - self._shared_chats,
            "type": "channel",
            "title": title,
        }
        return SharedChat(self.api, self.chats.ensure(chat_json))

    async def send_raw_update(self, update: dict[str, Any]) -> int:
        """Queue an arbitrary Update as given (chats it names become known); its new id."""
        return inject_raw_update(self.api, update)

    # What the bot did -------------------------------------------------------------------

    @property
    def flood(self) -> FloodControl | None:
        """Telegram's flood control, when switched on (`.refused` counts the 429s it sent)."""
        return self._server.flood

    @property
    def calls(self) -> list[ApiCall]:
        """Every API call the bot made, in order."""
        return self._server.calls

    def calls_to(self, method: str, *, applied: bool | None = None) -> list[ApiCall]:
        """Calls of one method, optionally only those that took effect (or did not)."""
        return [
            call
            for call in self._server.calls
            if call.method == method and (applied is None or call.applied == applied)
        ]

    def commands(
        self, language_code: str = "", scope: dict[str, Any] | None = None
    ) -> list[dict[str, str]]:
        """The commands setMyCommands registered for this language and scope."""
        return self.api.commands.get(scope, language_code)

    def unanswered_callback_queries(self) -> list[CallbackQueryRecord]:
        """Button presses the bot never answered with answerCallbackQuery."""
        return [q for q in self.api.callback_queries.values() if q.answer is None]

    @property
    def bot_is_polling(self) -> bool:
        """Whether a getUpdates long poll is waiting right now."""
        return self.queue.waiting_polls > 0

    @property
    def pending_update_count(self) -> int:
        """Updates not yet confirmed by getUpdates or delivered to the webhook."""
        return len(self.queue)

    # Webhook --------------------------------------------------------------------------

    @property
    def webhook_url(self) -> str | None:
        """The URL set by setWebhook, or None in polling mode."""
        return self.webhook.url

    @property
    def webhook_secret_mode(self) -> WebhookSecretMode:
        """Which secret header deliveries carry: correct, wrong or missing."""
        return self.webhook.secret_mode

    @webhook_secret_mode.setter
    def webhook_secret_mode(self, mode: WebhookSecretMode) -> None:
        self.webhook.secret_mode = mode

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """Every webhook POST attempt, in order."""
        return self.webhook.deliveries

    # Waiting --------------------------------------------------------------------------

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - the test's deadline, not an I/O timeout
        description: str = "the condition",
    ) -> None:
        """Wait, waking on every API call and webhook delivery, until predicate() holds."""
        if not await self.signal.wait_for(predicate, timeout):
            raise AssertionError(f"{description} did not hold within {timeout} s")
