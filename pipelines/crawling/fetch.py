"""Polite HTTP fetching: robots.txt, a per-host rate limit, retries with backoff, a size limit,
content-type checks and conditional requests, over httpx. A failure says what really failed:
connection refused, a DNS lookup, a timeout, an HTTP status, or robots.txt."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

USER_AGENT = (
    "fazhi/0.1 (research crawler for annual reports on law-based government; "
    "https://github.com/fazhi-data/fazhi)"
)
# What a report, its listing or its attachment may be served as.
ACCEPTED_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/msword",
    "application/octet-stream",
    # .wps as WPS Office's or Works' own type, zip archives, and the download types of
    # government content systems.
    "application/kswps",
    "application/wps-office",
    "application/vnd.ms-works",
    "application/zip",
    "application/x-zip-compressed",
    "application/x-download",
    "application/force-download",
)
# The part of the user agent a robots.txt names (RFC 9309: its product token).
PRODUCT_TOKEN = "fazhi"
# How much of a robots.txt is read (RFC 9309: at least 500 KiB).
ROBOTS_BYTES = 500 * 2**10
RETRY_STATUSES = frozenset({500, 502, 503, 504})
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class FetchFailed(Exception):
    """A URL that could not be fetched; the message is the reason recorded for it."""


def transport_failure(error: httpx.TransportError, url: str) -> tuple[str, bool]:
    """What went wrong below HTTP, in words, and whether trying again may help: the OS error
    httpx wraps tells a refused connection from a name that does not resolve."""
    parts = urlsplit(url)
    host = parts.netloc
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return f"DNS lookup of {parts.hostname} failed ({cause.strerror or cause})", False
        if isinstance(cause, ConnectionRefusedError):
            return f"connection refused by {host}", True
        if isinstance(cause, ConnectionResetError):
            return f"connection reset by {host}", True
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, httpx.TimeoutException):
        return f"timed out ({type(error).__name__})", True
    return f"{type(error).__name__}: {error}", True


class Deadline:
    """The time one exchange may take in all, headers included: when it is up, the exchange's
    socket is shut, and the read waiting on it fails (each read's own timeout never ends a
    server that sends a byte every few seconds). The socket is had from httpcore's trace of
    the connection it opens."""

    def __init__(self, seconds: float) -> None:
        self.sockets: list[socket.socket] = []
        self.cut = False
        self.timer = threading.Timer(seconds, self._cut)
        self.timer.daemon = True

    def trace(self, event: str, info: dict) -> None:
        if event == "connection.connect_tcp.complete" and info.get("return_value") is not None:
            self.sockets.append(info["return_value"].get_extra_info("socket"))

    def _cut(self) -> None:
        self.cut = True
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> Deadline:
        self.timer.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.timer.cancel()


# The content codings fazhi decodes itself, a piece at a time: httpx would inflate a whole
# network chunk at once (3.5 KB gzipped twice took 4 GB before the size limit was looked at).
INFLATED = ("gzip", "x-gzip", "deflate")
PIECE = 2**16


def _decoded(raw: Iterator[bytes], content_encoding: str) -> Iterator[bytes]:
    """The body as sent, undone of each coding it names (the last applied listed last), never
    more than PIECE bytes of output at a time, so a size limit stops a bomb early."""
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    for coding in codings:
        if coding not in INFLATED:
            raise FetchFailed(f"compressed as {coding!r}, which fazhi does not decode")
    pieces: Iterator[bytes] = raw
    for coding in reversed(codings):
        pieces = _inflated(pieces, coding)
    return pieces


def _inflater(coding: str, first: bytes) -> zlib._Decompress:
    """gzip, or zlib's own header, told apart by zlib; deflate as some servers send it, raw,
    without the zlib header it should have (whose two bytes are a multiple of 31)."""
    if coding == "deflate" and (len(first) < 2 or int.from_bytes(first[:2]) % 31 != 0):
        return zlib.decompressobj(-zlib.MAX_WBITS)
    return zlib.decompressobj(32 + zlib.MAX_WBITS)


def _inflated(pieces: Iterator[bytes], coding: str) -> Iterator[bytes]:
    inflater = None
    for piece in pieces:
        data = piece
        while data:
            if inflater is None:
                inflater = _inflater(coding, data)
            try:
                out = inflater.decompress(data, PIECE)
            except zlib.error as error:
                raise FetchFailed(
                    f"body not decodable as its Content-Encoding says: {error}"
                ) from error
            if out:
                yield out
            data = inflater.unconsumed_tail
            if inflater.eof:
                # Gzip members one after another: each is inflated in turn.
                data, inflater = inflater.unused_data, None
    if inflater is not None and not inflater.eof:
        raise FetchFailed("body not decodable as its Content-Encoding says: it is cut short")


def check_url(url: str) -> None:
    """FetchFailed unless url is an http(s) URL with a host and a port a socket takes (a port
    of 99999 was told as a connection refused, a broken IPv6 host as a traceback)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise FetchFailed(f"invalid URL: {error}") from None
    if parts.scheme not in ("http", "https"):
        raise FetchFailed("not an http or https URL")
    if not parts.hostname or (port is not None and not 0 < port < 65536):
        raise FetchFailed("invalid URL: no host, or a port out of range")


def tries(attempts: int) -> str:
    return "1 attempt" if attempts == 1 else f"{attempts} attempts"


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int  # 200, or 304 when the server says the copy we hold is current
    body: bytes | None  # None on 304
    content_type: str
    etag: str | None
    last_modified: str | None


@dataclass
class FetchPolicy:
    min_interval: float = 1.0  # seconds between two requests to one host
    timeout: float = 20.0  # seconds one read may wait
    # Seconds one exchange may take in all: a server trickling a byte at a time never meets
    # the read timeout, and a 30 MB body at 1 Mbit/s takes four minutes.
    deadline: float = 300.0
    attempts: int = 3
    backoff: float = 1.0  # seconds before the second attempt, doubled after each
    max_bytes: int = 30 * 1024 * 1024
    max_redirects: int = 5


@dataclass
class Fetcher:
    policy: FetchPolicy = field(default_factory=FetchPolicy)
    client: httpx.Client | None = None
    _last_request: dict[str, float] = field(default_factory=dict)
    # Per host: its robots.txt, or why it could not be had (asked once per crawl).
    _robots: dict[str, Protego | FetchFailed] = field(default_factory=dict)
    requests: int = 0

    def __post_init__(self) -> None:
        if self.client is None:
            self.client = httpx.Client(
                # Only what the body is decoded from here, a piece at a time (_decoded).
                headers={"User-Agent": USER_AGENT, "Accept-Encoding": ", ".join(INFLATED)},
                timeout=self.policy.timeout,
                # Redirects are followed by fetch(), so each hop waits its turn and asks robots.txt.
                follow_redirects=False,
                # A connection of its own per exchange, so that its deadline can cut it.
                limits=httpx.Limits(max_keepalive_connections=0),
            )

    def close(self) -> None:
        self.client.close()

    def _wait_for(self, host: str) -> None:
        last = self._last_request.get(host)
        if last is not None:
            delay = self.policy.min_interval - (time.monotonic() - last)
            if delay > 0:
                time.sleep(delay)
        self._last_request[host] = time.monotonic()

    def _send(
        self, url: str, headers: dict[str, str], keep: int | None = None
    ) -> tuple[httpx.Response, bytes]:
        """One GET, retried with backoff on 5xx, timeouts and connection errors; returns the
        response and its body, read up to the size limit (or its first keep bytes, the rest
        unread). A name that does not resolve is not tried again."""
        host = urlsplit(url).netloc
        delay = self.policy.backoff
        for attempt in range(1, self.policy.attempts + 1):
            self._wait_for(host)
            self.requests += 1
            started = time.monotonic()
            deadline = Deadline(self.policy.deadline)
            try:
                with (
                    deadline,
                    self.client.stream(
                        "GET", url, headers=headers, extensions={"trace": deadline.trace}
                    ) as response,
                ):
                    if response.status_code in RETRY_STATUSES and attempt < self.policy.attempts:
                        reason = f"HTTP {response.status_code}"
                    else:
                        body = self._read_limited(response, started, keep)
                        # Cut at its deadline, a body without a length just ends: not whole.
                        if deadline.cut:
                            raise FetchFailed(
                                f"too slow: no whole answer in {self.policy.deadline:g} s"
                            )
                        return response, body
            except httpx.TransportError as error:
                if deadline.cut:
                    raise FetchFailed(
                        f"too slow: no whole answer in {self.policy.deadline:g} s"
                    ) from error
                reason, worth_retrying = transport_failure(error, url)
                if not worth_retrying or attempt == self.policy.attempts:
                    raise FetchFailed(f"{reason} after {tries(attempt)}") from error
            # A URL httpx cannot request (a port past 65535), or a response whose Location
            # is no URL (javascript:, a broken IPv6 host), which httpx reads as it answers.
            except (httpx.InvalidURL, ValueError) as error:
                raise FetchFailed(f"invalid URL: {error}") from error
            finally:
                # The interval runs from the end of an exchange, so the host never sees two
                # requests closer than it, however long the last one took to arrive or answer.
                self._last_request[host] = time.monotonic()
            time.sleep(delay)
            delay *= 2
        raise FetchFailed(f"{reason} after {tries(self.policy.attempts)}")

    def _read_limited(
        self, response: httpx.Response, started: float, keep: int | None = None
    ) -> bytes:
        """The body, up to the size limit (or its first keep bytes) and within the exchange's
        deadline (not tried again: a server that slow would be as slow the next time)."""
        length = response.headers.get("content-length") or ""
        declared = int(length) if length.isdigit() else 0
        if declared > self.policy.max_bytes and keep is None:
            raise FetchFailed(
                f"too large: {declared:,} bytes, over the {self.policy.max_bytes:,} limit"
            )
        body = bytearray()
        for chunk in _decoded(response.iter_raw(), response.headers.get("content-encoding", "")):
            body += chunk
            if keep is not None and len(body) >= keep:
                return bytes(body[:keep])
            if len(body) > self.policy.max_bytes:
                raise FetchFailed(f"too large: over the {self.policy.max_bytes:,} byte limit")
            if time.monotonic() - started > self.policy.deadline:
                raise FetchFailed(f"too slow: no whole answer in {self.policy.deadline:g} s")
        return bytes(body)

    def _robots_of(self, root: str) -> Protego | FetchFailed:
        """The host's robots.txt, read as RFC 9309 says, by Protego (Python's robotparser
        takes the first rule that matches, not the longest, and knows no * or $): a 4xx
        answer (none there) allows all, a 5xx answer after the retries crawls nothing of the
        host; redirects are followed; its first 500 KiB are read, the rest ignored. A host that
        cannot be reached is a connection failure, not a prohibition: the reason of either is
        kept, and every URL of the host fails with it."""
        url = root + "/robots.txt"
        try:
            for _ in range(self.policy.max_redirects + 1):
                response, body = self._send(url, {}, keep=ROBOTS_BYTES)
                if response.status_code not in REDIRECTS or "location" not in response.headers:
                    break
                url = urljoin(url, response.headers["location"])
        except FetchFailed as error:
            return FetchFailed(f"{error} (fetching {root}/robots.txt)")
        if response.status_code >= 500:
            return FetchFailed(
                f"HTTP {response.status_code} for {root}/robots.txt: a host whose robots.txt "
                "fails is not crawled (RFC 9309)"
            )
        if response.status_code >= 300:
            return Protego.parse("")
        return Protego.parse(body.decode("utf-8", "replace"))

    def allowed(self, url: str) -> bool:
        """What the host's robots.txt says of this URL for fazhi's user agent; raises
        FetchFailed with the reason when the host's robots.txt could not be had."""
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self._robots:
            self._robots[root] = self._robots_of(root)
        robots = self._robots[root]
        if isinstance(robots, FetchFailed):
            raise FetchFailed(str(robots))
        return robots.can_fetch(url, PRODUCT_TOKEN)

    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """GET url politely; raise FetchFailed with the reason when it cannot be had."""
        check_url(url)
        if not self.allowed(url):
            raise FetchFailed("forbidden by robots.txt")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for _ in range(self.policy.max_redirects + 1):
            response, body = self._send(url, headers)
            if response.status_code not in REDIRECTS or "location" not in response.headers:
                break
            try:
                url = urljoin(url, response.headers.get("location", ""))
            except ValueError as error:
                raise FetchFailed(f"redirected to an invalid URL: {error}") from None
            if urlsplit(url).scheme not in ("http", "https"):
                raise FetchFailed(f"redirected out of http(s): {url}")
            check_url(url)
            if not self.allowed(url):
                raise FetchFailed(f"redirected to {url}, which robots.txt forbids")
        else:
            raise FetchFailed(f"more than {self.policy.max_redirects} redirects")
        final = url
        if response.status_code == 304:
            return Fetched(final, 304, None, "", etag, last_modified)
        if response.status_code != 200:
            raise FetchFailed(f"HTTP {response.status_code}")
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type and not content_type.startswith(ACCEPTED_TYPES):
            raise FetchFailed(f"not a document: content type {content_type}")
        return Fetched(
            final,
            200,
            body,
            content_type,
            response.headers.get("etag"),
            response.headers.get("last-modified"),
        )
