"""Faults: a build killed hard never blocks the builds after it; two builds over the same
inputs give identical tables; every bad input gets its outcome and the rest is published.
(tests/test_kills.py kills builds at every stage.)"""

from __future__ import annotations

import ctypes
import errno
import io
import os
import re
import shutil
import subprocess
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import docx
import docx.document
import docx.oxml.ns
import duckdb
import pypdf
import pytest
from docx.oxml import OxmlElement
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from pipelines.defs.runs import dead_runs
from pipelines.reading.documents import MAX_TEXT_CHARS
from pipelines.warehouse import publish as publishing
from pipelines.warehouse.tables import public_tables, table_ddl
from tests.conftest import SEEDS, run_build
from tests.processes import (
    HANG,
    Deployment,
    kill_group,
    start,
    traced,
    wait_for_file,
    wait_for_line,
)
from tests.report_files import as_docx, as_pdf
from tests.site_pages import Page, portal


def table_contents(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return {
            name: conn.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall()
            for name in public_tables()
        }


def test_two_builds_over_the_same_inputs_give_identical_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(SEEDS, sources)
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    assert run_build(sources, warehouse, monkeypatch).result.success
    first = table_contents(warehouse)
    assert run_build(sources, warehouse, monkeypatch).result.success
    second = table_contents(warehouse)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name


def killed_build(deployment: Deployment, seeds: int = 2) -> dg.DagsterRun:
    """A fazhi build killed hard (SIGKILL to its process group) while writing facts; returns its
    run, which the instance still has as started and holding the warehouse pool's slot."""
    deployment.sources.mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:seeds]:
        shutil.copy(seed, deployment.sources)
    log = deployment.root / "killed.log"
    build = start(
        ["-m", "pipelines.cli", "build"], deployment.env(pause_at="facts.rows_written"), log
    )
    wait_for_file(deployment.paused, build, log)
    kill_group(build)
    with deployment.instance() as instance:
        (dead,) = instance.get_runs()
        assert dead.status == dg.DagsterRunStatus.STARTED
        assert instance.event_log_storage.get_concurrency_run_ids() == {dead.run_id}
    return dead


def cpu_seconds(pid: int) -> float:
    """User and system time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_build_killed_hard_does_not_block_the_next_one(tmp_path: Path) -> None:
    deployment = Deployment(tmp_path)
    dead = killed_build(deployment)
    # The next build finishes by itself and says what it freed.
    build = start(["-m", "pipelines.cli", "build"], deployment.env(), subprocess.PIPE)
    out, err = build.communicate(timeout=HANG)
    assert build.returncode == 0, err
    assert f"freed pool slot of run {dead.run_id}, whose process is gone" in err
    assert "2 reports" in out
    with deployment.instance() as instance:
        assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
        assert instance.event_log_storage.get_concurrency_run_ids() == set()


def test_a_build_waiting_for_the_pool_goes_on_once_the_build_holding_it_is_killed(
    tmp_path: Path,
) -> None:
    # Two warehouses on one Dagster instance share the warehouse pool's one slot. A build of
    # the second, waiting for it, freed dead runs only as it started: the first killed after
    # that, the second waited for ever (no daemon, so no dead_runs sensor either).
    first, second = Deployment(tmp_path / "first"), Deployment(tmp_path / "second")
    for deployment in (first, second):
        deployment.sources.mkdir(parents=True)
        shutil.copy(sorted(SEEDS.glob("*.txt"))[0], deployment.sources)
    holding = start(
        ["-m", "pipelines.cli", "build"],
        first.env(pause_at="facts.rows_written"),
        tmp_path / "first.log",
    )
    wait_for_file(first.paused, holding, tmp_path / "first.log")
    shared = second.env() | {"FAZHI_DAGSTER_STORAGE": str(first.root / "dagster")}
    waiting = start(["-m", "pipelines.cli", "build"], shared, subprocess.PIPE)
    try:
        line = wait_for_line(waiting, "waiting for the warehouse pool's slot, held by run")
        # Waiting, it pauses between its looks at the pool (Dagster's executor asked for the
        # slot without pausing and kept a core busy): a window of wall time to see its CPU in.
        began, cpu_began = time.monotonic(), cpu_seconds(waiting.pid)
        time.sleep(2)
        wall, cpu = time.monotonic() - began, cpu_seconds(waiting.pid) - cpu_began
        assert cpu < 0.25 * wall, f"{cpu:.2f} CPU s in {wall:.2f} s of waiting"
    except BaseException:
        # Neither may outlive a failed test: the paused build and the one spinning would.
        for process in (waiting, holding):
            kill_group(process)
        raise
    kill_group(holding)
    _, err = waiting.communicate(timeout=HANG)
    assert waiting.returncode == 0, err
    assert f"freed pool slot of run {line.split()[-1]}, whose process is gone" in err
    with duckdb.connect(str(second.warehouse), read_only=True) as published:
        assert published.execute("SELECT count(*) FROM reports").fetchone() == (1,)


def test_the_dead_runs_sensor_frees_a_killed_run_before_any_build(tmp_path: Path) -> None:
    deployment = Deployment(tmp_path)
    dead = killed_build(deployment, seeds=1)
    with deployment.instance() as instance:
        evaluation = dead_runs(dg.build_sensor_context(instance=instance))
        assert f"freed pool slot of run {dead.run_id}, whose process is gone" in (
            evaluation.skip_message
        )
        assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
        assert instance.event_log_storage.get_concurrency_run_ids() == set()
        # Once freed, a run is not freed again.
        again = dead_runs(dg.build_sensor_context(instance=instance))
        assert again.skip_message == "no run died unfinished"


def seeds_and_bad(tmp_path: Path) -> tuple[Path, Path]:
    """A corpus folder of the seeds, and a folder bad/ in it for inputs that cannot be read."""
    sources = tmp_path / "sources"
    shutil.copytree(SEEDS, sources)
    (sources / "bad").mkdir()
    return sources, sources / "bad"


def test_each_bad_input_gets_its_outcome_and_the_rest_is_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources, bad = seeds_and_bad(tmp_path)
    report = (SEEDS / "002_0d1779802d6e58b2.txt").read_text(encoding="utf-8")
    lines = [line for line in report.splitlines() if line.strip()]
    docx, pdf = as_docx(lines), as_pdf(lines)
    (bad / "truncated.docx").write_bytes(docx[: len(docx) // 2])
    (bad / "truncated.pdf").write_bytes(pdf[: len(pdf) // 2])
    page = portal(Page(lines[0], "2021-03-30", "天津高新区", "http://x.gov.cn/a.html", lines))
    (bad / "truncated.html").write_bytes(page.encode()[: len(page.encode()) // 2])
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (bad / "gb18030.txt").write_bytes(report.replace("2020年", "2019年").encode("gb18030"))
    shutil.copy(SEEDS / "000_39ca0c9c455ce9cc.txt", bad / "same_as_000.txt")
    with open(bad / "huge.txt", "wb") as huge:
        huge.truncate(50 * 1024 * 1024)
    build = run_build(sources, tmp_path / "warehouse" / "fazhi.duckdb", monkeypatch)
    assert build.result.success
    with build.connect() as conn:
        rejected = dict(conn.execute("SELECT source_name, reason FROM rejected_sources").fetchall())
        reports = dict(conn.execute("SELECT source_name, encoding FROM reports").fetchall())
        names_of_000 = conn.execute(
            "SELECT list(source_name ORDER BY source_name) FROM source_files "
            "WHERE sha256 = (SELECT sha256 FROM reports WHERE source_name LIKE '000_%')"
        ).fetchone()[0]
    assert rejected["bad/truncated.docx"].startswith("corrupt Word (.docx) file")
    assert rejected["bad/truncated.pdf"].startswith("corrupt PDF")
    assert rejected["bad/truncated.html"].startswith("truncated web page")
    assert rejected["bad/empty.txt"] == "empty file"
    assert rejected["bad/binary.txt"].startswith("binary file")
    assert rejected["bad/huge.txt"].startswith("too large: 52,428,800 bytes")
    assert reports["bad/gb18030.txt"] == "gb18030"
    assert names_of_000 == ["000_39ca0c9c455ce9cc.txt", "bad/same_as_000.txt"]
    assert {seed.name for seed in SEEDS.glob("*.txt")} <= reports.keys()


def broken_inputs(lines: list[str], folder: Path) -> None:
    """Files whose readers' libraries fail on them in ways no rule names, each in folder."""
    text = "\n".join(lines)

    def docx_with(change: Callable[[docx.document.Document], None]) -> bytes:
        document = docx.Document(io.BytesIO(as_docx(lines)))
        change(document)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    def merged_from_above(document: docx.document.Document) -> None:
        # A cell continuing a vertical merge in the table's first row: nothing above it.
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0)._tc.get_or_add_tcPr().append(OxmlElement("w:vMerge"))

    (folder / "merged_from_above.docx").write_bytes(docx_with(merged_from_above))

    def spans_without_end(document: docx.document.Document) -> None:
        # A cell spanning 2^31 columns: python-docx would make an entry for each (17 GB).
        span = OxmlElement("w:gridSpan")
        span.set(docx.oxml.ns.qn("w:val"), "2147483647")
        document.add_table(rows=1, cols=2).cell(0, 0)._tc.get_or_add_tcPr().append(span)

    (folder / "spans_without_end.docx").write_bytes(docx_with(spans_without_end))
    # A text far longer than any year's report: the stages after would take minutes over it.
    (folder / "too_long.txt").write_text(text * (MAX_TEXT_CHARS // len(text) + 1), "utf-8")
    # The Word document's own part, its deflate stream broken.
    raw = bytearray(as_docx(lines))
    part = zipfile.ZipFile(io.BytesIO(bytes(raw))).getinfo("word/document.xml")
    start = part.header_offset + 30 + len(part.orig_filename.encode()) + len(part.extra)
    raw[start : start + part.compress_size] = b"\xff" * part.compress_size
    (folder / "inflates_badly.docx").write_bytes(bytes(raw))
    (folder / "charset_undefined.html").write_text(
        '<html><head><meta charset="undefined"></head><body>'
        + "".join(f"<p>{line}</p>" for line in lines)
        + "</body></html>",
        encoding="utf-8",
    )
    # A number of 71 digits in the page's content: over pypdf's limits.
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(as_pdf(lines)))
    content = DecodedStreamObject()
    content.set_data(
        b"1" + b"0" * 70 + b" 0 0 1 0 0 cm " + writer.pages[0].get_contents().get_data()
    )
    writer.pages[0][NameObject("/Contents")] = writer._add_object(content)
    out = io.BytesIO()
    writer.write(out)
    (folder / "number_too_long.pdf").write_bytes(out.getvalue())
    # A zip whose member's LZMA stream is damaged, and one whose name is flagged UTF-8 but
    # is GBK.
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_LZMA) as archive:
        archive.writestr("report.txt", text)
    raw = bytearray(packed.getvalue())
    member = zipfile.ZipFile(io.BytesIO(bytes(raw))).infolist()[0]
    start = 30 + len(member.orig_filename) + len(member.extra)
    for at in range(start + 20, start + member.compress_size - 10):
        raw[at] = (raw[at] * 7 + 13) % 256
    (folder / "lzma_damaged.zip").write_bytes(bytes(raw))

    class FlaggedUtf8(zipfile.ZipInfo):
        def _encodeFilenameFlags(self) -> tuple[bytes, int]:
            return "报告.txt".encode("gbk"), self.flag_bits | 0x800

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr(FlaggedUtf8("x"), text + "\n附：名称误标的压缩包")
    (folder / "name_flag_lies.zip").write_bytes(packed.getvalue())
    # A font whose character map gives half a UTF-16 pair for the letter A, which the page
    # then prints.
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(as_pdf(lines)))
    character_map = DecodedStreamObject()
    character_map.set_data(
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X def "
        b"1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <41> <D800> "
        b"endbfchar endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/ToUnicode"): writer._add_object(character_map),
        }
    )
    page = writer.pages[0]
    page["/Resources"].get_object()["/Font"].get_object()[NameObject("/FX")] = writer._add_object(
        font
    )
    content = DecodedStreamObject()
    content.set_data(page.get_contents().get_data() + b"\nBT /FX 12 Tf 100 400 Td (A) Tj ET\n")
    page[NameObject("/Contents")] = writer._add_object(content)
    out = io.BytesIO()
    writer.write(out)
    (folder / "half_a_character.pdf").write_bytes(out.getvalue())
    # A plain zip holding a stray mimetype entry: not an OpenDocument file, so unpacked.
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("mimetype", "text/plain")
        archive.writestr("报告.txt", text.replace("2020年", "2017年"))
    (folder / "stray_mimetype.zip").write_bytes(packed.getvalue())
    # A PDF locked by a password, and one without pages.
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(as_pdf(lines)))
    writer.encrypt("secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    (folder / "locked.pdf").write_bytes(out.getvalue())
    out = io.BytesIO()
    pypdf.PdfWriter().write(out)
    (folder / "no_pages.pdf").write_bytes(out.getvalue())
    # A link to itself.
    (folder / "loop").symlink_to(folder / "loop")


def test_inputs_their_readers_fail_on_are_set_aside_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each of these stopped the whole build with its library's error (found by feeding fazhi
    # damaged and unusual files): now each is a line of rejected_sources, and a text file
    # saved under a Word name is read as the text it is.
    sources, bad = seeds_and_bad(tmp_path)
    lines = [
        line
        for line in (SEEDS / "002_0d1779802d6e58b2.txt").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    broken_inputs(lines, bad)
    (bad / "text_saved_as.docx").write_text(
        "\n".join(lines).replace("2020年", "2018年"), encoding="utf-8"
    )
    build = run_build(sources, tmp_path / "warehouse" / "fazhi.duckdb", monkeypatch)
    assert build.result.success
    with build.connect() as conn:
        rejected = dict(conn.execute("SELECT source_name, reason FROM rejected_sources").fetchall())
        texts = dict(conn.execute("SELECT source_name, text FROM reports").fetchall())
    reports = set(texts)
    kept = {
        "bad/text_saved_as.docx",
        "bad/half_a_character.pdf",
        "bad/stray_mimetype.zip!报告.txt",
        # A charset no text is in (Python's 'undefined' codec fails on any byte): detected.
        "bad/charset_undefined.html",
    }
    assert {seed.name for seed in SEEDS.glob("*.txt")} | kept == reports
    # Half a character is stored as the character a decoder puts for what it cannot read.
    assert "\ufffd" in texts["bad/half_a_character.pdf"]
    assert rejected["bad/merged_from_above.docx"].startswith("damaged or unusual docx file")
    assert "ValueError" in rejected["bad/merged_from_above.docx"]
    assert rejected["bad/inflates_badly.docx"].startswith("damaged or unusual docx file")
    assert texts["bad/charset_undefined.html"].startswith("天津滨海高新区2020年法治政府建设报告")
    assert rejected["bad/number_too_long.pdf"].startswith("damaged or unusual pdf file")
    assert rejected["bad/lzma_damaged.zip"].startswith("zip archive")
    assert "damaged or of an unsupported compression" in rejected["bad/lzma_damaged.zip"]
    assert rejected["bad/name_flag_lies.zip"].startswith("damaged zip archive")
    assert rejected["bad/loop"] == "cannot read: too many levels of symbolic links"
    assert rejected["bad/spans_without_end.docx"] == (
        "corrupt Word (.docx) file: a table cell spans 2,147,483,647 columns"
    )
    assert rejected["bad/too_long.txt"].startswith("too long for a report: 1,0")
    # Said as what they are, not as corrupt or scanned.
    assert rejected["bad/locked.pdf"] == "encrypted PDF: it needs a password to be read"
    assert rejected["bad/no_pages.pdf"] == "PDF with no pages"


def test_a_file_system_that_cannot_exchange_names_gets_each_new_file_by_one_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # NFS and SMB shares answer RENAME_EXCHANGE with EINVAL (this machine's disk cannot be made
    # to): the standby, brought up to date, is renamed over the file published instead, and
    # the next build, finding no standby, copies one anew.
    def refused(*_: object) -> int:
        ctypes.set_errno(errno.EINVAL)
        return -1

    monkeypatch.setattr(publishing, "_renameat2", refused)
    staging, target = tmp_path / "work" / "fazhi.duckdb", tmp_path / "warehouse" / "fazhi.duckdb"
    staging.parent.mkdir()
    with duckdb.connect(str(staging)) as conn:
        for name in public_tables():
            conn.execute(table_ddl(name))
        conn.execute(f"ATTACH '{staging.with_name('work.duckdb')}' AS work")
        conn.execute("CREATE TABLE work.stage_keys (stage VARCHAR, report_id VARCHAR, key VARCHAR)")
        for crawl in range(3):
            conn.execute(
                "INSERT INTO crawl_log VALUES ('t', 'test', ?, 'page', 'landed', NULL, NULL, "
                "NULL, 't')",
                [f"https://example.org/{crawl}"],
            )
            conn.execute("CHECKPOINT")
            # Copy below 0 bytes: always an update of the standby where there is one.
            publishing.publish(conn, staging, target, 0)
            with duckdb.connect(str(target), read_only=True) as published:
                assert published.execute("SELECT count(*) FROM crawl_log").fetchone() == (
                    crawl + 1,
                )
            # The first publication copies the standby it made; the next rename theirs away.
            assert publishing.standby_path(target).exists() == (crawl == 0)


def test_a_run_started_by_anyone_leaves_a_database_of_someone_elses_alone(tmp_path: Path) -> None:
    # The command refuses such a warehouse before it starts (tests/test_cli.py); a run the UI
    # or a schedule starts is stopped where it would publish.
    staging, target = tmp_path / "work" / "fazhi.duckdb", tmp_path / "warehouse" / "fazhi.duckdb"
    staging.parent.mkdir()
    target.parent.mkdir()
    with duckdb.connect(str(target)) as conn:
        conn.execute("CREATE TABLE precious AS SELECT 42 AS answer")
    before = target.read_bytes()
    with duckdb.connect(str(staging)) as conn:
        for name in public_tables():
            conn.execute(table_ddl(name))
        conn.execute(f"ATTACH '{staging.with_name('work.duckdb')}' AS work")
        conn.execute("CREATE TABLE work.stage_keys (stage VARCHAR, report_id VARCHAR, key VARCHAR)")
        with pytest.raises(publishing.NotOurs, match="a DuckDB database fazhi did not make"):
            publishing.publish(conn, staging, target)
    assert target.read_bytes() == before
    assert not publishing.standby_path(target).exists()


# Two publications of a working database (argv 1, its work catalog argv 3) as argv 2.
PUBLISH_TWICE = """
import sys
from pathlib import Path
import duckdb
from pipelines.warehouse.publish import publish
staging, target, work = map(Path, sys.argv[1:])
with duckdb.connect(str(staging)) as conn:
    conn.execute(f"ATTACH '{work}' AS work")
    conn.execute("CREATE TABLE work.stage_keys (stage VARCHAR, report_id VARCHAR, key VARCHAR)")
    conn.execute("CHECKPOINT")
    publish(conn, staging, target)
    publish(conn, staging, target)
"""


def test_publishing_syncs_the_new_file_before_the_swap_and_the_folder_after(
    tmp_path: Path,
) -> None:
    """Without both, a power cut after the rename (the first publication) or the exchange of
    names (the next ones) can leave an empty or half-written file under the warehouse's name:
    seen in the system calls publishing makes (strace)."""
    staging, target = tmp_path / "work" / "fazhi.duckdb", tmp_path / "warehouse" / "fazhi.duckdb"
    staging.parent.mkdir()
    with duckdb.connect(str(staging)) as conn:
        for name in public_tables():
            conn.execute(table_ddl(name))
    publishing = traced(
        PUBLISH_TWICE,
        [str(staging), str(target), str(staging.with_name("work.duckdb"))],
        "fsync,rename,renameat2",
        tmp_path / "trace.txt",
    )
    first = publishing.first
    folder, published = re.escape(str(target.parent)), re.escape(str(target))
    standby = rf"{folder}/\.fazhi\.duckdb\.standby"
    building = rf"{folder}/\.fazhi\.duckdb\.\w+\.building"
    here = "AT_FDCWD(?:<[^>]*>)?"
    # The first publication: the standby made and synced, a copy of it renamed into place.
    renamed = first(rf'rename\("{building}", "{published}"\) = 0')
    assert first(rf"fsync\(\d+<{standby}>") < renamed
    assert first(rf"fsync\(\d+<{building}>") < renamed
    assert first(rf"fsync\(\d+<{folder}>", after=renamed) > renamed
    # The second: the standby brought up to date and synced, then the names exchanged.
    exchanged = first(
        rf'renameat2\({here}, "{standby}", {here}, "{published}", RENAME_EXCHANGE\) = 0'
    )
    assert first(rf"fsync\(\d+<{standby}>", after=renamed) < exchanged
    assert first(rf"fsync\(\d+<{folder}>", after=exchanged) > exchanged
