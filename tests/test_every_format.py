"""Every file a government site publishes, read for real: a Chinese .doc and a .wps (Word 97
inside) made by LibreOffice and read back through it, a scanned PDF made by rendering a seed's
pages to pictures and read by OCR, a PDF with a running header, a zip holding a .docx and a
.pdf, and the formats that are no report (a workbook, a presentation, a picture, a zip bomb, a
damaged .doc). Each gives its seed's clean text or its reason, and the rest is published."""

from __future__ import annotations

import difflib
import io
import os
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from PIL import Image

from pipelines.cleaning.page_furniture import FURNITURE
from pipelines.landing import archives
from pipelines.landing.archives import unpack
from pipelines.reading.decoding import UnreadableSource
from pipelines.reading.formats import READERS, detect_format
from pipelines.reading.legacy_word import convert_to_docx, no_network_prefix
from pipelines.reading.ocr import LOW_CONFIDENCE
from pipelines.shared.frames import query_frame
from tests.conftest import DATA, SEEDS, Build, run_build
from tests.report_files import (
    as_doc,
    as_docx,
    as_pdf,
    scanned_copy,
    with_table,
    zipped,
)
from tests.test_cleaning import report_lines_002
from tests.test_formats import pptx, xlsx

SEED_001 = "001_d9e95e2a48e67257.txt"
SEED_003 = "003_38f8238b59c0effd.txt"
SEED_004 = "004_67f9df3a2b388bff.txt"
TABLE = [("事项", "受理", "办结"), ("行政复议", "5", "5")]
AFTER_TABLE = "表后一段:全年共办理行政复议案件5件。"
BIG = 40 * 1024 * 1024


def seed_lines(seed: str) -> list[str]:
    text = (SEEDS / seed).read_text(encoding="utf-8").replace("\xa0", " ")
    return [line.strip() for line in text.splitlines() if line.strip()]


def png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (40, 20), 255).save(out, "PNG")
    return out.getvalue()


def bomb() -> bytes:
    """40 MB of zeros in a zip of 40 KB, beside a small report."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.txt", bytes(BIG))
        archive.writestr("report.txt", "\n".join(seed_lines(SEED_003)))
    return out.getvalue()


@pytest.fixture(scope="module")
def formats_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    root = tmp_path_factory.mktemp("formats")
    sources = root / "sources"
    files = {
        "word/report.docx": with_table(as_docx(seed_lines(SEED_001)), TABLE, AFTER_TABLE),
        "word/report.wps": as_doc(as_docx(seed_lines(SEED_004))),
        "pdf/header.pdf": as_pdf(report_lines_002(), header=report_lines_002()[0]),
        "scan/report.pdf": scanned_copy(as_pdf(seed_lines(SEED_003), size=12)),
        "zip/both.zip": zipped(
            {
                "报告.docx": as_docx(seed_lines(SEED_003)),
                "附件/报告.pdf": as_pdf(report_lines_002()),
                "../escape.txt": "法治".encode() * 20,
                "__MACOSX/._报告.docx": b"\x00\x05\x16\x07",
            },
            gbk_names=True,
        ),
        "other/stats.xlsx": xlsx(),
        "other/slides.pptx": pptx(),
        "other/photo.png": png(),
        "other/bomb.zip": bomb(),
        "other/damaged.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096,
    }
    files["word/report.doc"] = as_doc(files["word/report.docx"])
    for name, data in files.items():
        (sources / name).parent.mkdir(parents=True, exist_ok=True)
        (sources / name).write_bytes(data)
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield run_build(sources, root / "warehouse" / "fazhi.duckdb", monkeypatch)


@pytest.fixture(scope="module")
def reports(formats_build: Build) -> dict[str, dict]:
    with formats_build.connect() as conn:
        rows = query_frame(conn, "SELECT * FROM reports")
    return {row["source_name"]: row for row in rows.iter_rows(named=True)}


@pytest.fixture(scope="module")
def rejected(formats_build: Build) -> dict[str, str]:
    with formats_build.connect() as conn:
        return dict(conn.execute("SELECT source_name, reason FROM rejected_sources").fetchall())


def test_the_run_publishes_every_report_with_every_blocking_check_passing(
    formats_build: Build, reports: dict[str, dict]
) -> None:
    assert formats_build.result.success
    failed = [
        evaluation.check_name
        for evaluation in formats_build.result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity.value == "ERROR"
    ]
    assert failed == []
    assert set(reports) == {
        "word/report.docx",
        "word/report.doc",
        "word/report.wps",
        "pdf/header.pdf",
        "scan/report.pdf",
        "zip/both.zip!报告.docx",
        "zip/both.zip!附件/报告.pdf",
        "other/bomb.zip!report.txt",
    }


def test_a_doc_reads_as_the_docx_it_was_saved_from_tables_and_all(
    reports: dict[str, dict],
) -> None:
    docx_text = reports["word/report.docx"]["text"].split("\n")
    assert docx_text == [*seed_lines(SEED_001), "事项 受理 办结", "行政复议 5 5", AFTER_TABLE]
    assert reports["word/report.doc"]["text"].split("\n") == docx_text
    assert reports["word/report.doc"]["source_format"] == "doc"


def test_a_wps_that_is_word_97_inside_reads_as_word(reports: dict[str, dict]) -> None:
    wps = reports["word/report.wps"]
    assert wps["text"].split("\n") == seed_lines(SEED_004)
    assert (wps["source_format"], wps["region"], wps["report_year"]) == (
        "wps",
        "东疆综合保税区",
        2023,
    )


def test_a_running_header_goes_to_boilerplate_and_the_title_stays(
    formats_build: Build, reports: dict[str, dict]
) -> None:
    header = reports["pdf/header.pdf"]
    assert header["text"].split("\n") == report_lines_002()
    with formats_build.connect() as conn:
        dropped = conn.execute(
            "SELECT line, reason FROM boilerplate WHERE report_id = ? AND whole_line",
            [header["report_id"]],
        ).fetchall()
    running = [line for line, reason in dropped if reason == FURNITURE]
    numbers = [line for line, reason in dropped if reason == "page number"]
    # Printed above every page but the first; every page numbered.
    assert running == [report_lines_002()[0]] * (len(numbers) - 1)
    assert len(numbers) >= 3


def gold_figures(seed: str) -> list[tuple[str, float, str]]:
    gold = pl.concat(
        pl.read_csv(path, separator="\t", quote_char=None, infer_schema=False)
        for path in sorted((DATA / "gold-dev").glob("quantities_*.tsv"))
    )
    return [
        (surface, float(value), unit)
        for surface, value, unit in gold.filter(pl.col("doc") == seed)
        .select("surface", "value", "unit")
        .iter_rows()
    ]


def test_a_scanned_pdf_is_read_by_ocr_with_its_figures_and_its_confidence(
    formats_build: Build, reports: dict[str, dict]
) -> None:
    scan = reports["scan/report.pdf"]
    assert scan["source_format"] == "pdf-ocr"
    assert scan["ocr_confidence"] >= LOW_CONFIDENCE
    seed = "\n".join(seed_lines(SEED_003))
    matcher = difflib.SequenceMatcher(None, seed, scan["text"], autojunk=False)
    in_order = sum(block.size for block in matcher.get_matching_blocks())
    assert in_order / len(seed) >= 0.98
    with formats_build.connect() as conn:
        facts = set(
            conn.execute(
                "SELECT surface, value, unit FROM facts WHERE report_id = ?", [scan["report_id"]]
            ).fetchall()
        )
        flagged = conn.execute(
            "SELECT DISTINCT read_by_ocr FROM marts.indicator_values WHERE report_id = ?",
            [scan["report_id"]],
        ).fetchall()
    figures = gold_figures(SEED_003)
    assert figures
    assert set(figures) <= facts
    # Every figure of the scan says it was read by OCR.
    assert flagged == [(True,)]
    # The report is flagged as read by OCR; its clean pages are not flagged as doubtful.
    (check,) = [
        evaluation
        for evaluation in formats_build.result.get_asset_check_evaluations()
        if evaluation.check_name == "ocr_pages_confident"
    ]
    assert check.passed
    with formats_build.connect() as conn:
        flags = conn.execute(
            'SELECT source_name, "check", detail FROM quality_flags '
            "WHERE \"check\" IN ('read_by_ocr', 'ocr_pages_confident')"
        ).fetchall()
    assert [(name, check) for name, check, _ in flags] == [("scan/report.pdf", "read_by_ocr")]
    assert flags[0][2].startswith("its text was read by OCR from 2 scanned page(s)")


def test_a_zip_lands_each_file_as_its_own_input_and_stays_in_the_store(
    formats_build: Build, reports: dict[str, dict], rejected: dict[str, str]
) -> None:
    assert reports["zip/both.zip!报告.docx"]["text"].split("\n") == seed_lines(SEED_003)
    assert reports["zip/both.zip!附件/报告.pdf"]["text"].split("\n") == report_lines_002()
    assert rejected["zip/both.zip"] == (
        "zip archive: unpacked, its 2 file(s) read as inputs of their own "
        "(archive!报告.docx, archive!附件/报告.pdf); left out: ../escape.txt (a path that "
        "leads outside the archive); __MACOSX/._报告.docx (system metadata (__MACOSX, a hidden "
        "file))"
    )
    with formats_build.connect() as conn:
        origins = dict(
            conn.execute(
                "SELECT source_name, origin FROM source_files WHERE source_name LIKE 'zip/%'"
            ).fetchall()
        )
        (stored,) = conn.execute(
            "SELECT stored_path FROM source_files WHERE source_name = 'zip/both.zip'"
        ).fetchone()
    assert origins == {
        "zip/both.zip": "file",
        "zip/both.zip!报告.docx": "archive",
        "zip/both.zip!附件/报告.pdf": "archive",
    }
    assert Path(stored).read_bytes() == (formats_build.sources / "zip/both.zip").read_bytes()


def test_what_is_no_report_is_refused_as_what_it_is(rejected: dict[str, str]) -> None:
    assert rejected["other/stats.xlsx"].startswith("Excel workbook (.xlsx): not a report format")
    assert rejected["other/slides.pptx"].startswith("PowerPoint presentation (.pptx)")
    assert rejected["other/photo.png"].startswith("PNG image: not a report format")
    assert rejected["other/damaged.doc"].startswith(
        "legacy Word (.doc) file: LibreOffice could not convert it"
    )
    assert rejected["other/bomb.zip"].startswith(
        "zip archive: unpacked, its 1 file(s) read as inputs of their own (archive!report.txt); "
        "left out: zeros.txt (too large: 41,943,040 bytes unpacked"
    )


def test_old_office_files_are_told_apart_by_their_streams() -> None:
    word97 = as_doc(as_docx(["某区2023年法治政府建设情况报告", "全年办理行政复议案件5件。"]))
    assert detect_format("report.doc", word97) == "doc"
    assert detect_format("report.wps", word97) == "wps"
    assert detect_format("download", word97) == "doc"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
    assert detect_format("book.xls", ole + "Workbook".encode("utf-16-le")) == "xls"
    assert detect_format("old.wps", ole) == "wps-other"
    with pytest.raises(UnreadableSource, match=r"^Excel 97 workbook \(\.xls\): not a report"):
        READERS["xls"](ole)


def test_a_conversion_past_its_time_limit_is_refused_and_leaves_no_process() -> None:
    word97 = as_doc(as_docx(["某区2023年法治政府建设情况报告", "全年办理行政复议案件5件。"]))
    # No LibreOffice starts and converts in no time at all.
    with pytest.raises(UnreadableSource, match=r"did not convert it within 0 s"):
        convert_to_docx(word97, "legacy Word (.doc) file", timeout=0)
    left = [
        pid
        for pid in os.listdir("/proc")
        if pid.isdigit() and b"fazhi-convert-" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]
    assert left == []


def test_archives_inside_archives_and_their_limits() -> None:
    inner = zipped({"报告.txt": "报告".encode()})
    outer = zipped({"inner.zip": inner, "/etc/passwd": b"x", "C:/x.txt": b"x", "a.txt": b"a"})
    members = {member.name: member.skipped for member in unpack(outer)}
    assert members == {
        "inner.zip": None,
        "inner.zip!报告.txt": None,
        "/etc/passwd": "a path that leads outside the archive",
        "C:/x.txt": "a path that leads outside the archive",
        "a.txt": None,
    }
    # The allowance is shared by every level: the file past it is left out.
    limited = {m.name: m.skipped for m in unpack(outer, budget=archives.Budget(members_left=2))}
    assert limited["inner.zip!报告.txt"] is None
    assert limited["a.txt"] == f"over the limit of {archives.MAX_MEMBERS} files per archive"


def test_a_member_whose_header_understates_its_size_is_never_inflated_past_it() -> None:
    data = zipped({"small.txt": bytes(BIG)})
    claimed = data.replace(BIG.to_bytes(4, "little"), (100).to_bytes(4, "little"))
    (member,) = unpack(claimed)
    assert member.data is None
    assert member.skipped.startswith("damaged or of an unsupported compression: Bad CRC-32")


def test_conversion_runs_without_network() -> None:
    prefix = no_network_prefix()
    assert prefix, "this machine allows no network namespace: conversions would have network"
    shown = subprocess.run(
        [*prefix, "cat", "/proc/net/dev"], capture_output=True, text=True, check=True
    ).stdout
    interfaces = {line.split(":")[0].strip() for line in shown.splitlines()[2:]}
    assert interfaces == {"lo"}


def test_the_confidence_of_every_page_ocr_read_is_on_the_report(formats_build: Build) -> None:
    with formats_build.connect() as conn:
        pages = conn.execute(
            "SELECT p.page_no, p.confidence FROM reports, unnest(CAST(ocr_pages::JSON AS "
            "STRUCT(page_no INTEGER, confidence DOUBLE)[])) AS t(p) "
            "WHERE source_format = 'pdf-ocr' ORDER BY 1"
        ).fetchall()
        others = conn.execute(
            "SELECT count(*) FROM reports WHERE source_format <> 'pdf-ocr' "
            "AND (ocr_pages IS NOT NULL OR ocr_confidence IS NOT NULL)"
        ).fetchone()[0]
    assert [number for number, _ in pages] == [1, 2]
    assert all(confidence >= LOW_CONFIDENCE for _, confidence in pages)
    assert others == 0
