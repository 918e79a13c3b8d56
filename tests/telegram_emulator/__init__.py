"""A Telegram Bot API emulator for end-to-end tests and benchmarks of the real aiogram bot."""

from .activity import ActivitySignal
from .actors import ChatHandle, SharedChat, SimulatedUser
from .calls import ApiCall
from .chats import InlineButton, VisibleMessage
from .clock import EmulatorClock
from .emulator import DEFAULT_TOKEN, BotApiEmulator
from .faults import FaultKind, FaultRule, Faults
from .flood import FloodControl, FloodLimits
from .methods import CallbackQueryRecord
from .webhook import (
    SECRET_HEADER,
    RetryPolicy,
    WebhookDelivery,
    WebhookSecretMode,
)

__all__ = [
    "DEFAULT_TOKEN",
    "SECRET_HEADER",
    "ActivitySignal",
    "ApiCall",
    "BotApiEmulator",
    "CallbackQueryRecord",
    "ChatHandle",
    "EmulatorClock",
    "FaultKind",
    "FaultRule",
    "Faults",
    "FloodControl",
    "FloodLimits",
    "InlineButton",
    "RetryPolicy",
    "SharedChat",
    "SimulatedUser",
    "VisibleMessage",
    "WebhookDelivery",
    "WebhookSecretMode",
]
