"""A stand-in for systemd's notification socket: collects what a process sends to
$NOTIFY_SOCKET (READY=1, WATCHDOG=1, STOPPING=1)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path


class NotifySocket:
    """A datagram socket standing in for systemd's, collecting what the bot sends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.notices: list[str] = []
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(str(path))
        self._sock.setblocking(False)

    async def collect(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            data = await loop.sock_recv(self._sock, 4096)
            self.notices.extend(data.decode().split("\n"))

    def close(self) -> None:
        self._sock.close()


@contextlib.asynccontextmanager
async def notify_socket(path: Path) -> AsyncIterator[NotifySocket]:
    sock = NotifySocket(path)
    task = asyncio.create_task(sock.collect())
    try:
        yield sock
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sock.close()
