"""The HTTP front: routes /bot<token>/<method>, injects faults and logs every call."""

import asyncio
import json
import socket
from typing import Any

from aiohttp import web

from . import constants as tg
from .activity import ActivitySignal
from .calls import ApiCall, normalize_params
from .errors import BotApiError
from .faults import FaultKind, FaultRule
from .flood import FloodControl
from .methods import BotApi
from .params import read_params

_JSON = "application/json"


def _chat_of(raw: dict[str, Any]) -> int | str | None:
    chat = raw.get("chat_id")
    if isinstance(chat, str) and chat.lstrip("-").isdigit():
        return int(chat)
    return chat if isinstance(chat, int | str) else None


def _respond(status: int, body: dict[str, Any]) -> web.Response:
    return web.Response(status=status, body=json.dumps(body).encode(), content_type=_JSON)


class EmulatorServer:
    """An aiohttp server on 127.0.0.1 and a random port, speaking the Bot API."""

    def __init__(self, api: BotApi, signal: ActivitySignal) -> None:
        self.api = api
        self.signal = signal
        self.calls: list[ApiCall] = []
        self.flood: FloodControl | None = None  # Telegram's flood limits, when switched on
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Bind and serve; `base_url` is ready afterwards."""
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        # No access log: per-request logging would dominate the benchmark's profile.
        # Handler cancellation ends held requests when the client gives up (timeout faults).
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        site = web.SockSite(self._runner, sock)
        await site.start()
        bound_host, bound_port = sock.getsockname()[:2]
        self.base_url = f"http://{bound_host}:{bound_port}"

    async def stop(self) -> None:
        """Stop serving; waiting long polls are answered first."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.api.token:
            return _respond(401, {"ok": False, "error_code": 401, "description": tg.UNAUTHORIZED})
        name = request.match_info["method"]
        method = self.api.methods.get(name.lower())
        if method is None:
            return _respond(404, {"ok": False, "error_code": 404, "description": tg.NOT_FOUND})
        try:
            params = await read_params(request)
        except BotApiError as error:
            self._record(request, name, {}, error.status, error.description, None, None)
            return _respond(error.status, error.payload())
        if method == self.api.get_updates:
            self.signal.notify()  # lets a test wait until the bot is listening
        fault = self.api.faults.pick(name)
        try:
            if fault is not None:
                await self._inject(fault)
            elif self.flood is not None:
                retry_after = self.flood.check(name, _chat_of(params.raw))
                if retry_after is not None:
                    raise BotApiError(
                        429,
                        tg.TOO_MANY_REQUESTS.format(retry_after=retry_after),
                        {"retry_after": retry_after},
                    )
            result = await method(params)
        except BotApiError as error:
            self._record(request, name, params.raw, error.status, error.description, None, fault)
            return _respond(error.status, error.payload())
        except asyncio.CancelledError:
            if fault is not None:  # the client gave up on a held request: log it as refused
                self._record(request, name, params.raw, 499, "client closed request", None, fault)
            raise
        self._record(request, name, params.raw, 200, None, result, None)
        return _respond(200, {"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """A file's bytes, streamed in pieces as Telegram's file server sends them."""
        if request.match_info["token"] != self.api.token:
            return _respond(401, {"ok": False, "error_code": 401, "description": tg.UNAUTHORIZED})
        stored = self.api.files.by_path.get(request.match_info["path"])
        if stored is None:
            return _respond(404, {"ok": False, "error_code": 404, "description": tg.NOT_FOUND})
        self.api.files.downloads.append(stored.file_id)
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        response.content_length = stored.file_size
        await response.prepare(request)
        for start in range(0, stored.file_size, tg.DOWNLOAD_PIECE_BYTES):
            await response.write(stored.content[start : start + tg.DOWNLOAD_PIECE_BYTES])
        await response.write_eof()
        self.signal.notify()
        return response

    async def _inject(self, fault: FaultRule) -> None:
        """Refuse the call before it takes effect, the way the fault says."""
        if fault.kind is FaultKind.RATE_LIMIT:
            raise BotApiError(
                429,
                tg.TOO_MANY_REQUESTS.format(retry_after=fault.retry_after),
                {"retry_after": fault.retry_after},
            )
        if fault.kind is FaultKind.TIMEOUT:
            await asyncio.sleep(fault.delay)  # outlasts the client's timeout on purpose
            raise BotApiError(504, tg.GATEWAY_TIMEOUT)
        raise BotApiError(fault.status, tg.INTERNAL_SERVER_ERROR)

    def _record(
        self,
        request: web.Request,
        method: str,
        raw: dict[str, Any],
        status: int,
        description: str | None,
        result: Any,
        fault: FaultRule | None,
    ) -> None:
        self.calls.append(
            ApiCall(
                seq=len(self.calls) + 1,
                method=method,
                params=normalize_params(raw),
                status=status,
                description=description,
                result=result,
                fault=None if fault is None else fault.kind.value,
                content_type=request.content_type if request.body_exists else "",
            )
        )
        self.signal.notify()
