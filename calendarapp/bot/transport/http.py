"""The bot's HTTP client: python-telegram-bot's `BaseRequest` on aiohttp instead of httpx.

Under load the bot process is CPU-bound, and httpx/httpcore (pure Python, anyio, h11) cost
about as much CPU per Bot API call as everything else the bot does; aiohttp parses HTTP in C.
Plain calls go out as one JSON body (`application/json`, which the Bot API accepts for every
method but file uploads) instead of a form with each value JSON-encoded on its own; uploads
go as multipart, like httpx does. Errors map as in `HTTPXRequest`: timeouts become
`TimedOut`, other client errors `NetworkError`. Timeouts mean what they mean for httpx
(read: each wait for data), except that aiohttp has no write timeout: small requests go to
the kernel buffer at once, and a file upload gets an overall limit (write + read) instead.

Proxies come from the environment (HTTPS_PROXY, NO_PROXY...) as with httpx, but are looked
up once per URL: aiohttp's own `trust_env` reads the environment and ~/.netrc on a worker
thread for every request.
"""

import json
import ssl
import urllib.request
from urllib.parse import urlsplit

import aiohttp
import certifi
from django.conf import settings
from django.utils.functional import Promise
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

_JSON_HEADERS = {"Content-Type": "application/json"}


def env_proxy(url: str) -> str | None:
    """The proxy the environment names for `url` (HTTPS_PROXY, ALL_PROXY, NO_PROXY...)."""
    parts = urlsplit(url)
    proxies = urllib.request.getproxies_environment()
    if urllib.request.proxy_bypass_environment(parts.hostname or "", proxies):
        return None
    return proxies.get(parts.scheme) or proxies.get("all")


def _lazy_text(value: object) -> str:
    """json.dumps `default`: Django's lazy texts (bot/texts.py) rendered in the active
    language, so the bot need not walk every request for them (bot/runtime/i18n.py)."""
    if isinstance(value, Promise):
        return str(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _dumps(value: object) -> str:
    return json.dumps(value, default=_lazy_text)


class AiohttpRequest(BaseRequest):
    __slots__ = (
        "_connect",
        "_limit",
        "_pool",
        "_proxies",
        "_read",
        "_session",
        "_timeouts",
        "_write",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ):
        self._limit = connection_pool_size
        self._read, self._write = read_timeout, write_timeout
        self._connect, self._pool = connect_timeout, pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple, aiohttp.ClientTimeout] = {}  # built once per combination
        self._proxies: dict[str, str | None] = {}  # url -> proxy from the environment

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                # certifi's CA bundle, as httpx uses: slim images may lack the system's.
                connector=aiohttp.TCPConnector(
                    limit=self._limit, ssl=ssl.create_default_context(cafile=certifi.where())
                ),
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets no cookies
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _proxy(self, url: str) -> str | None:
        try:
            return self._proxies[url]
        except KeyError:
            pass
        proxy = env_proxy(url)
        if len(self._proxies) < 1024:  # one entry per Bot API method and file
            self._proxies[url] = proxy
        return proxy

    def _timeout(self, read, write, connect, pool, upload: bool) -> aiohttp.ClientTimeout:
        if read is BaseRequest.DEFAULT_NONE:
            read = self._read
        if write is BaseRequest.DEFAULT_NONE:
            write = self._write
        if connect is BaseRequest.DEFAULT_NONE:
            connect = self._connect
        if pool is BaseRequest.DEFAULT_NONE:
            pool = self._pool
        key = (read, write, connect, pool, upload)
        timeout = self._timeouts.get(key)
        if timeout is None:
            # As httpx: `read` bounds each wait for data, not the whole request. aiohttp has no
            # write timeout, so an upload gets an overall limit instead (the small requests
            # do not: it would cost a timer each). `connect` in aiohttp includes waiting for a
            # free pooled connection.
            waiting = None if connect is None or pool is None else connect + pool
            total = None
            if upload and None not in (read, write):
                total = read + write + (waiting or 0)
            timeout = aiohttp.ClientTimeout(
                total=total, connect=waiting, sock_connect=connect, sock_read=read
            )
            if len(self._timeouts) < 64:
                self._timeouts[key] = timeout
        return timeout

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout=BaseRequest.DEFAULT_NONE,
        write_timeout=BaseRequest.DEFAULT_NONE,
        connect_timeout=BaseRequest.DEFAULT_NONE,
        pool_timeout=BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        upload = request_data is not None and request_data.contains_files
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, upload)
        data = headers = None
        if request_data is not None:
            if upload:
                # As RequestData.json_parameters, lazy texts included.
                data = aiohttp.FormData(
                    {
                        name: value if isinstance(value, str) else _dumps(value)
                        for name, value in request_data.parameters.items()
                    }
                )
                for name, (filename, content, mime) in request_data.multipart_data.items():
                    data.add_field(name, content, filename=filename, content_type=mime)
            else:
                data, headers = _dumps(request_data.parameters).encode(), _JSON_HEADERS
        try:
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout, proxy=self._proxy(url)
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp.ServerTimeoutError too
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error


def bot_requests() -> tuple[BaseRequest, BaseRequest]:
    """(request, get_updates_request) for a bot, per TELEGRAM_HTTP_CLIENT.

    The pool sizes are python-telegram-bot's defaults: many calls at once, one long poll.
    """
    if settings.TELEGRAM_HTTP_CLIENT == "httpx":
        return HTTPXRequest(connection_pool_size=256), HTTPXRequest(connection_pool_size=1)
    return AiohttpRequest(connection_pool_size=256), AiohttpRequest(connection_pool_size=1)
