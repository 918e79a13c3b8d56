"""systemd's notification protocol (sd_notify) with the standard library's socket.

`Type=notify` units learn that the bot is ready (READY=1), that it is still healthy
(WATCHDOG=1, within `WatchdogSec=`) and that it is stopping (STOPPING=1). Outside systemd
($NOTIFY_SOCKET unset) every call does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import Final

_log = logging.getLogger(__name__)

READY: Final = "READY=1"
STOPPING: Final = "STOPPING=1"
WATCHDOG: Final = "WATCHDOG=1"


def notify(*states: str) -> bool:
    """Send `states` (e.g. READY=1) to systemd; False when not under systemd or it failed."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address or not states:
        return False
    if address.startswith("@"):  # an abstract socket: a leading NUL byte
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall("\n".join(states).encode())
    except OSError as exc:
        _log.warning("sd_notify failed: %s", type(exc).__name__)
        return False
    return True


def watchdog_seconds() -> float | None:
    """The unit's `WatchdogSec=` in seconds, when systemd expects WATCHDOG=1 from this process."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and pid != str(os.getpid()):
        return None  # meant for another process (e.g. the parent that started us)
    return int(usec) / 1_000_000
