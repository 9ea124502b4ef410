"""The crawl: from listing pages to the reports they link, landed in the content store.

Listing pages are followed through their pagination (下一页, numbered pages, script pagers);
links whose anchor text may name an annual report are fetched (discover.py), news and notices
passed over by their wording; a fetched page that is an annual report on law-based government
by its content lands as a report, and the Word, WPS, PDF or zip files it attaches land beside it
(an article that only points at its attachment lands the attachment alone); a page that is not
a report is recorded as such, with the reason, and nothing of it lands. Every fetch is conditional on the validators of the last crawl, so a second
crawl downloads nothing unchanged; bodies held from before come from the store. Every outcome,
failures included, is a row of the result with its reason, and every crawl's rows are appended
to the crawl log beside the store, from which each build makes the crawl_log table.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl

from pipelines.crawling.discover import (
    MAX_PAGES,
    attachments,
    is_candidate,
    judge,
    next_pages,
    passed_over,
    read_links,
)
from pipelines.crawling.fetch import Fetcher, FetchFailed
from pipelines.crawling.log import OUTCOME_SCHEMA, CrawlLog
from pipelines.crawling.urls import canonical_url
from pipelines.landing.store import Arrival, ContentStore, utc_now
from pipelines.reading.decoding import UnreadableSource
from pipelines.reading.html_pages import read_html

ORIGIN = "crawl"
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Outcome:
    url: str
    kind: str  # listing, report, attachment
    outcome: str  # landed, unchanged, failed
    reason: str | None
    sha256: str | None
    found_on: str | None
    fetched_at: str


class Validators:
    """ETag, Last-Modified and the stored body of every URL fetched, kept beside the store."""

    def __init__(self, store: ContentStore) -> None:
        self.path: Path = store.root / "crawl" / "validators.json"
        self.entries: dict[str, dict] = (
            json.loads(self.path.read_text(encoding="utf-8")) if self.path.exists() else {}
        )

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".part")
        partial.write_text(json.dumps(self.entries, ensure_ascii=False, indent=1), encoding="utf-8")
        partial.replace(self.path)


@dataclass
class Crawl:
    fetcher: Fetcher
    store: ContentStore
    started_by: str

    def __post_init__(self) -> None:
        self.started_at = utc_now()
        self.validators = Validators(self.store)
        self.outcomes: list[Outcome] = []
        self.known = self.store.known_arrivals()
        self.log = CrawlLog(self.store)

    def record(self, url: str, kind: str, outcome: str, reason=None, sha256=None, found_on=None):
        """An outcome, written to the crawl log as it happens: a crawl stopped or killed keeps
        what it did so far (it kept nothing, not even the reports already in the store)."""
        row = Outcome(url, kind, outcome, reason, sha256, found_on, utc_now())
        self.outcomes.append(row)
        self.log.append(self._frame([row]))

    def _frame(self, outcomes: list[Outcome]) -> pl.DataFrame:
        return pl.DataFrame(
            [
                {"crawl_started_at": self.started_at, "started_by": self.started_by} | asdict(o)
                for o in outcomes
            ],
            schema=OUTCOME_SCHEMA,
        )

    def get(self, url: str) -> tuple[str, bytes, str, bool]:
        """(final url, body, content type, changed since the last crawl)."""
        held = self.validators.entries.get(url, {})
        if not held.get("sha256"):
            held = {}
        fetched = self.fetcher.fetch(url, held.get("etag"), held.get("last_modified"))
        if fetched.status == 304 and not held:
            raise FetchFailed("HTTP 304 (not modified) to a request that held no earlier copy")
        if fetched.status == 304:
            return (
                canonical_url(held.get("final_url", url)),
                self.store.read(held["sha256"]),
                held.get("type", ""),
                False,
            )
        sha256 = self.store.put(fetched.body)
        self.validators.entries[url] = {
            "etag": fetched.etag,
            "last_modified": fetched.last_modified,
            "sha256": sha256,
            "final_url": fetched.url,
            "type": fetched.content_type,
        }
        # Named as its links are: a redirect's target, or httpx's spelling, is spelled again.
        return (
            canonical_url(fetched.url),
            fetched.body,
            fetched.content_type,
            held.get("sha256") != sha256,
        )

    def land(self, url: str, body: bytes, kind: str, changed: bool, found_on: str) -> None:
        sha256 = self.store.put(body)
        if (url, sha256) not in self.known:
            # Logged as it lands, like its outcome.
            self.store.record([Arrival(url, sha256, len(body), utc_now(), ORIGIN)])
            self.known.add((url, sha256))
        self.record(url, kind, "landed" if changed else "unchanged", None, sha256, found_on)

    def listing(self, start: str, pattern: re.Pattern[str] | None) -> dict[str, str]:
        """Report links of a listing and its further pages: url -> the page it was found on.
        A candidate passed over as news or a notice is recorded as skipped, with the reason."""
        with contextlib.suppress(ValueError):  # no URL: its fetch tells why
            start = canonical_url(start)
        queue, seen, found, passed = [start], set(), {}, set()
        while queue and len(seen) < MAX_PAGES:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            try:
                final, body, _, changed = self.get(url)
            except FetchFailed as error:
                self.record(url, "listing", "failed", str(error))
                continue
            try:
                text, page_links = read_links(body, final)
            except UnreadableSource as error:
                self.record(url, "listing", "failed", f"unreadable listing page: {error}")
                continue
            self.record(url, "listing", "landed" if changed else "unchanged")
            for link in page_links:
                if pattern and pattern.search(link.url):
                    found.setdefault(link.url, url)
                elif is_candidate(link):
                    reason = passed_over(link)
                    if reason is None:
                        found.setdefault(link.url, url)
                    elif link.url not in passed:
                        passed.add(link.url)
                        self.record(link.url, "report", "skipped", reason, found_on=url)
            queue += [page for page in next_pages(text, page_links, final) if page not in seen]
        return found

    def report(self, url: str, found_on: str) -> None:
        try:
            final, body, content_type, changed = self.get(url)
        except FetchFailed as error:
            self.record(url, "report", "failed", str(error), found_on=found_on)
            return
        if not content_type.startswith(HTML_TYPES):
            # A file linked from the listing itself: the build reads it and judges it.
            self.land(final, body, "report", changed, found_on)
            return
        try:
            page = read_html(body)
        except UnreadableSource as error:
            self.record(final, "report", "failed", f"unreadable page: {error}", found_on=found_on)
            return
        verdict = judge(page)
        files = attachments(read_links(body, final)[1])
        # A page titled as a report without a report's parts, that links files, points at them.
        if verdict.not_a_report and not (files and verdict.titled):
            self.record(final, "report", "skipped", verdict.not_a_report, found_on=found_on)
            return
        for file in files:
            try:
                file_url, file_body, _, file_changed = self.get(file.url)
            except FetchFailed as error:
                self.record(file.url, "attachment", "failed", str(error), found_on=final)
                continue
            self.land(file_url, file_body, "attachment", file_changed, final)
        if verdict.not_a_report:
            self.record(
                final,
                "report",
                "skipped",
                "a page that points at its attachment",
                found_on=found_on,
            )
        else:
            self.land(final, body, "report", changed, found_on)

    def finish(self) -> pl.DataFrame:
        """The crawl's outcomes; the validators kept for the next crawl's conditional requests
        (lost with a killed crawl, whose next one fetches everything again)."""
        self.validators.save()
        return self._frame(self.outcomes)


def crawl(
    sources: list[tuple[str, str | None]],
    fetcher: Fetcher,
    store: ContentStore,
    started_by: str,
) -> pl.DataFrame:
    """Crawl each (listing url, link pattern or None); land every report linked, append the
    outcomes to the crawl log, and return them: one row per URL fetched, with when the crawl
    started and who started it (fazhi crawl, a schedule), url, kind, outcome (landed,
    unchanged, skipped, failed), reason, sha256, found_on, fetched_at."""
    run = Crawl(fetcher, store, started_by)
    try:
        for listing_url, link_pattern in sources:
            try:
                pattern = re.compile(link_pattern) if link_pattern else None
            except re.error as error:
                run.record(
                    listing_url, "listing", "failed", f"bad link pattern {link_pattern!r}: {error}"
                )
                continue
            try:
                found = run.listing(listing_url, pattern)
            except Exception as error:
                run.record(listing_url, "listing", "failed", unforeseen(error))
                continue
            for url, found_on in found.items():
                # Whatever one page or server does that no rule foresaw fails that URL only.
                try:
                    run.report(url, found_on)
                except Exception as error:
                    run.record(url, "report", "failed", unforeseen(error), found_on=found_on)
    finally:
        outcomes = run.finish()
    return outcomes


def unforeseen(error: Exception) -> str:
    return f"failed in a way no rule foresaw: {type(error).__name__}: {error}"
