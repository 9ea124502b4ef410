"""Reading: each distinct content of the corpus becomes one document of text, or a rejection."""

from __future__ import annotations

import re

import polars as pl

from pipelines.landing.store import ContentStore
from pipelines.reading.decoding import UnreadableSource, require_chinese
from pipelines.reading.extracted import HINTS
from pipelines.reading.formats import detect_format, read_source
from pipelines.reading.normalize import normalize_line_ends, normalize_width, visible_chars

MAX_BYTES = 30 * 1024 * 1024
# The longest text read as one report: a year's report runs to 5,000-50,000 characters, and a
# small file can unpack to millions (a Word file of 338 KB held 13 million), which the stages
# after would take minutes over.
MAX_TEXT_CHARS = 1_000_000

DOCUMENT_SCHEMA = {
    "report_id": pl.String,
    "sha256": pl.String,
    "source_format": pl.String,
    "encoding": pl.String,
    "raw_text": pl.String,
    "main_first": pl.Int32,
    "main_last": pl.Int32,
    "page_title": pl.String,
    "page_date": pl.String,
    "page_source": pl.String,
    "page_url": pl.String,
    "furniture_lines": pl.List(pl.Int32),
    "ocr_confidence": pl.Float64,
    "ocr_pages": pl.List(pl.Struct({"page_no": pl.Int32, "confidence": pl.Float64})),
    "visible_chars": pl.Int64,
}
REJECTION_SCHEMA = {
    "sha256": pl.String,
    "source_format": pl.String,
    "stage": pl.String,
    "reason": pl.String,
}


def report_id_of(sha256: pl.Expr) -> pl.Expr:
    """A report's id is its content hash, shortened: the same bytes get the same id on every run."""
    return sha256.str.slice(0, 16)


def first_names(files: pl.DataFrame) -> pl.DataFrame:
    """One row per content, with its report_id: the name it first arrived under, and every name
    it arrived under."""
    return (
        files.sort("arrived_at", "source_name")
        .group_by("sha256", maintain_order=True)
        .agg(
            pl.col("source_name").first(),
            pl.col("source_name").alias("source_names"),
            pl.col("size").first(),
            pl.col("arrived_at").first(),
            pl.col("origin").first(),
        )
        .with_columns(report_id=report_id_of(pl.col("sha256")))
    )


# Half a UTF-16 pair, alone: Python strings may hold one (a PDF whose character map points at
# one), no table or file can.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str | None) -> str | None:
    """text as a table can hold it: a lone surrogate becomes U+FFFD, the character a decoder
    puts for bytes it cannot read."""
    if text is None or text.isascii():
        return text
    # Only a lone surrogate stops UTF-8 encoding: a text that encodes (nearly every one) is
    # not searched (2,000 reports: 0.08 -> 0.01 s).
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return LONE_SURROGATE.sub("\ufffd", text)
    return text


def unforeseen(source_format: str | None, error: BaseException) -> str:
    """Why a file could not be read, when its reader failed in a way no rule foresaw."""
    said = " ".join(str(error).split())[:200]
    what = f"{source_format} file its reader" if source_format else "file whose format fazhi"
    return f"damaged or unusual {what} failed on: " + (
        f"{type(error).__name__}: {said}" if said else type(error).__name__
    )


def read_documents(
    contents: pl.DataFrame, store: ContentStore
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Decode every content (sha256, source_name, size) into text.

    Returns (documents, rejections): documents with normalised raw_text (every line of the
    source, chrome included), the main content's line span where the format tells, and the
    source's own metadata; rejections with the stage and the reason a person can act on.
    """
    documents: list[tuple] = []
    rejections: list[tuple[str, str | None, str, str]] = []
    for sha256, source_name, size in contents.select("sha256", "source_name", "size").iter_rows():
        if size > MAX_BYTES:
            rejections.append(
                (sha256, None, "read", f"too large: {size:,} bytes, over the {MAX_BYTES:,} limit")
            )
            continue
        try:
            data = store.read(sha256)
        except OSError as error:
            # Its copy in the store gone or replaced since it landed (the store check of this
            # run withholds it too, and says how to mend it).
            reason = f"its copy in the store cannot be read: {error.strerror or error}"
            rejections.append((sha256, None, "read", reason))
            continue
        source_format = None
        try:
            source_format = detect_format(source_name, data)
            extracted = read_source(source_name, source_format, data)
            require_chinese(extracted.text)
            if len(extracted.text) > MAX_TEXT_CHARS:
                raise UnreadableSource(
                    f"too long for a report: {len(extracted.text):,} characters of text, over "
                    f"the {MAX_TEXT_CHARS:,} limit"
                )
        except UnreadableSource as error:
            rejections.append((sha256, source_format, "read", str(error)))
            continue
        except Exception as error:
            # A reader's library failing on one file in a way no rule foresaw (a Word table
            # merged past its first row, a PDF over a parser's limits) rejects that file only.
            rejections.append((sha256, source_format, "read", unforeseen(source_format, error)))
            continue
        documents.append(
            (
                sha256,
                extracted.source_format or source_format,
                extracted.encoding,
                storable(extracted.text),
                extracted.main_first,
                extracted.main_last,
                *(storable(extracted.hints.get(hint)) for hint in HINTS),
                extracted.furniture_lines,
                extracted.ocr_confidence,
                [{"page_no": n, "confidence": c} for n, c in extracted.ocr_pages] or None,
            )
        )
    docs = (
        pl.DataFrame(
            documents,
            schema={
                k: v for k, v in DOCUMENT_SCHEMA.items() if k not in ("report_id", "visible_chars")
            },
            orient="row",
        )
        .with_columns(
            report_id=report_id_of(pl.col("sha256")),
            raw_text=normalize_width(normalize_line_ends(pl.col("raw_text"))),
            page_date=pl.col("page_date").str.to_date("%Y-%m-%d", strict=False),
        )
        .with_columns(visible_chars=visible_chars(pl.col("raw_text")))
    )
    rejected = pl.DataFrame(rejections, schema=REJECTION_SCHEMA, orient="row")
    return docs.select(list(DOCUMENT_SCHEMA)), rejected.select(
        report_id_of(pl.col("sha256")).alias("report_id"), *REJECTION_SCHEMA
    )
