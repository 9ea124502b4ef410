"""The fazhi command as a user runs it, in a real subprocess against a real built warehouse:
`fazhi sql` cannot write anything or reach any file or the network, and every bad argument or
failure is one line on stderr with exit code 2 (bad argument) or 1 (failure), never a
traceback."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines.landing.inbox import inbox_fingerprint
from pipelines.marts.confined import connect_confined
from pipelines.settings import LONGEST_WAREHOUSE_NAME, Settings
from pipelines.warehouse.publish import standby_path
from tests.conftest import SEEDS, Build
from tests.processes import HANG, start

FAZHI = Path(sys.executable).with_name("fazhi")


@dataclass
class Ran:
    code: int
    out: str
    err: str


def fazhi(*args: str, warehouse: Path, **env: str) -> Ran:
    done = subprocess.run(
        [str(FAZHI), *args],
        capture_output=True,
        text=True,
        env=os.environ | {"FAZHI_WAREHOUSE": str(warehouse)} | env,
        check=False,
    )
    return Ran(done.returncode, done.stdout, done.stderr)


def one_line(ran: Ran) -> str:
    """The message of a command that failed as it should: one line, no traceback."""
    assert "Traceback" not in ran.err
    assert len(ran.err.strip().splitlines()) == 1, ran.err
    return ran.err.strip()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def warehouse(seeds_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the seeds' warehouse, so that what these tests try cannot harm the others."""
    copy = tmp_path_factory.mktemp("cli") / "warehouse" / "fazhi.duckdb"
    copy.parent.mkdir()
    shutil.copy(seeds_build.warehouse, copy)
    return copy


def hostile_statements(warehouse: Path, elsewhere: Path) -> list[str]:
    return [
        f"COPY (SELECT 'x') TO '{warehouse}'",
        f"COPY (SELECT 'x') TO '{elsewhere / 'out.csv'}'",
        f"ATTACH '{elsewhere / 'other.duckdb'}' AS other (READ_WRITE)",
        f"ATTACH '{warehouse}' AS again (READ_WRITE)",
        f"EXPORT DATABASE '{elsewhere / 'exported'}'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM read_blob('/etc/passwd')",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM read_parquet('http://127.0.0.1:9/x.parquet')",
        "PRAGMA enable_profiling",
        "PRAGMA threads = 1",
        "SET enable_external_access = true",
        "RESET lock_configuration",
        "INSTALL httpfs",
        "LOAD httpfs",
        "DELETE FROM reports",
        "CREATE TABLE planted AS SELECT 1",
        # One harmless statement does not carry a harmful one through, nor run before it.
        f"SELECT 'ran' AS marker; COPY reports TO '{elsewhere / 'reports.csv'}'",
    ]


def test_fazhi_sql_refuses_every_write_and_every_file_or_network_access(
    warehouse: Path, tmp_path: Path
) -> None:
    before = sha256(warehouse)
    for statement in hostile_statements(warehouse, tmp_path):
        ran = fazhi("sql", statement, warehouse=warehouse)
        assert ran.code == 2, statement
        message = one_line(ran)
        assert message.startswith("fazhi sql: refused: "), message
        assert ("not a query" in message) or ("never files or the network" in message), message
        assert ran.out == "", statement
        assert sha256(warehouse) == before, statement
    # Nothing reached the disk anywhere else either.
    assert list(tmp_path.iterdir()) == []
    assert sorted(path.name for path in warehouse.parent.iterdir()) == ["fazhi.duckdb"]


def test_the_confinement_holds_below_the_screening(warehouse: Path, tmp_path: Path) -> None:
    """The connection itself refuses files, the network and setting changes, whatever SQL
    reaches it."""
    with connect_confined(warehouse) as conn:
        for statement in [
            f"COPY (SELECT 'x') TO '{warehouse}'",
            f"COPY (SELECT 'x') TO '{tmp_path / 'out.csv'}'",
            f"ATTACH '{tmp_path / 'other.duckdb'}' AS other (READ_WRITE)",
            f"EXPORT DATABASE '{tmp_path / 'exported'}'",
            "SELECT * FROM read_text('/etc/passwd')",
            "INSTALL httpfs",
        ]:
            with pytest.raises(duckdb.PermissionException):
                conn.execute(statement)
        for statement in ["SET enable_external_access = true", "SET threads = 1"]:
            with pytest.raises(duckdb.InvalidInputException, match="configuration has been locked"):
                conn.execute(statement)
        with pytest.raises(duckdb.InvalidInputException, match="read-only"):
            conn.execute("DELETE FROM reports")
    assert list(tmp_path.iterdir()) == []


def test_every_view_and_the_search_macro_work_confined(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as plain:
        views = plain.execute(
            "SELECT view_name FROM duckdb_views() WHERE schema_name = 'marts'"
        ).fetchall()
        expected = {
            view: plain.execute(f"SELECT count(*) FROM marts.{view}").fetchone()[0]
            for (view,) in views
        }
    assert len(expected) >= 8
    with connect_confined(warehouse) as conn:
        counts = {
            view: conn.execute(f"SELECT count(*) FROM marts.{view}").fetchone()[0]
            for view in expected
        }
        hits = conn.execute(
            "SELECT count(*) FROM marts.search_sentences('行政复议 纠错')"
        ).fetchone()[0]
    assert counts == expected
    assert hits > 0
    ran = fazhi("search", "行政复议", "--limit", "3", warehouse=warehouse)
    assert ran.code == 0
    assert "【行政复议】" in ran.out


def test_several_queries_in_one_call_are_all_printed(warehouse: Path) -> None:
    ran = fazhi(
        "sql",
        "SELECT count(*) AS reports_n FROM reports; "
        "PRAGMA table_info('reports'); "
        "SELECT region FROM marts.report_overview ORDER BY region LIMIT 1",
        warehouse=warehouse,
    )
    assert ran.code == 0, ran.err
    tables = ran.out.strip().split("\n\n")
    assert len(tables) == 3
    assert tables[0].split() == ["reports_n", "-" * len("reports_n"), "5"]
    assert "report_id" in tables[1]
    assert tables[2].splitlines()[0].strip() == "region"


def test_bad_arguments_are_one_line_and_exit_2(warehouse: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "a_file"
    a_file.write_text("not a folder")
    for args, expected in [
        (["search", ""], "fazhi search: nothing to search for"),
        (["search", "x", "--limit", "-5"], "fazhi search: argument --limit: must be"),
        (["sql", "SELECT 1", "--max-rows", "0"], "fazhi sql: argument --max-rows: must be"),
        (["sql", "-- nothing"], "fazhi sql: refused: no SQL statement given"),
        (["export", str(a_file)], f"fazhi export: {a_file} is a file, not a folder"),
        (["crawl", "http://127.0.0.1:9/", "--pattern", "(["], "fazhi crawl: argument --pattern"),
        (["crawl", "ftp://example.org/"], "fazhi crawl: argument urls: not an http(s) URL"),
        (["crawl", "http://127.0.0.1:abc/"], "fazhi crawl: argument urls: not an http(s) URL"),
        (["crawl", "http://127.0.0.1:9/", "--interval", "inf"], "fazhi crawl: argument --interval"),
        (["compare", "行政复议"], "fazhi compare:"),
        # Found by feeding the commands hostile arguments: each was a traceback, or lines.
        (["sql", "SELECT 1", "--max-rows", "9" * 20], "fazhi sql: argument --max-rows: must be"),
        (["search", "x", "--limit", "9" * 20], "fazhi search: argument --limit: must be"),
        (["sql", "selec 1"], 'fazhi sql: SQL error: Parser Error: syntax error at or near "selec"'),
        (["sql", "SELECT * FROM report"], "fazhi sql: SQL error: Catalog Error: Table with name"),
        (["search", os.fsdecode(b"\xff\xfe")], "fazhi search: an argument is not text (UTF-8)"),
        (["eval", str(a_file)], "fazhi eval: cannot read the gold files as labelled quantities"),
        (["eval", str(tmp_path / "none.tsv")], "fazhi eval: no such gold file"),
    ]:
        ran = fazhi(*args, warehouse=warehouse)
        assert ran.code == 2, args
        assert one_line(ran).startswith(expected), ran.err
    assert a_file.read_text() == "not a folder"


def test_bad_settings_of_a_build_are_one_line_before_it_starts(tmp_path: Path) -> None:
    place = tmp_path / "w" / "fazhi.duckdb"
    env = {"FAZHI_DAGSTER_STORAGE": str(tmp_path / "dagster")}
    for value in ("abc", "-1", "nan", "inf", "1e400"):
        ran = fazhi("build", warehouse=place, FAZHI_COPY_BELOW_MB=value, **env)
        assert ran.code == 2, value
        assert one_line(ran) == (
            f"fazhi build: FAZHI_COPY_BELOW_MB must be a size in megabytes (0 or more), "
            f"not {value!r}"
        )
    # Publishing names files after the warehouse (.NAME.standby.<32 hex>.building.wal).
    longest = "w" * (LONGEST_WAREHOUSE_NAME - len(".duckdb")) + ".duckdb"
    Settings(sources=SEEDS, warehouse=tmp_path / longest)
    ran = fazhi("build", warehouse=tmp_path / f"w{longest}", **env)
    assert ran.code == 2
    assert one_line(ran).startswith(
        f"fazhi build: the warehouse's file name is {LONGEST_WAREHOUSE_NAME + 1} bytes long"
    )
    (tmp_path / "a_file").write_text("")
    ran = fazhi("build", warehouse=place, FAZHI_DAGSTER_STORAGE=str(tmp_path / "a_file"))
    assert ran.code == 2
    assert one_line(ran) == (
        f"fazhi build: {tmp_path / 'a_file'} is a file, where fazhi writes a folder of the "
        "Dagster runs' storage: move it (FAZHI_DAGSTER_STORAGE names where it goes)"
    )
    ran = fazhi("build", warehouse=place, DAGSTER_HOME=str(tmp_path / "nowhere"), **env)
    assert ran.code == 2
    assert one_line(ran).startswith(f"fazhi build: DAGSTER_HOME {tmp_path / 'nowhere'} is no")
    for value in ("abc", "0", "-5", "nan", "inf"):
        ran = fazhi("build", warehouse=place, FAZHI_CONVERT_TIMEOUT=value, **env)
        assert ran.code == 2, value
        assert one_line(ran) == (
            "fazhi build: FAZHI_CONVERT_TIMEOUT must be a number of seconds from 0 to 86,400, "
            f"not {value!r}"
        )
    for value in ("abc", "0", "2.5", "nan"):
        ran = fazhi("build", warehouse=place, FAZHI_SEAL_AFTER_ROWS=value, **env)
        assert ran.code == 2, value
        assert one_line(ran) == (
            "fazhi build: FAZHI_SEAL_AFTER_ROWS must be a whole number of rows (1 or more), "
            f"not {value!r}"
        )
    assert not place.exists()
    # A setting set empty is unset: the seeds, not the current folder, are the corpus.
    built = fazhi("build", warehouse=place, FAZHI_SOURCES="", **env)
    assert built.code == 0, built.err
    counted = fazhi("sql", "SELECT count(*) AS n FROM reports", "--format", "csv", warehouse=place)
    assert counted.out.split() == ["n", str(len(list(SEEDS.glob("*.txt"))))]


def test_failures_are_one_line_and_exit_1(warehouse: Path, tmp_path: Path) -> None:
    # Root writes through any folder's mode bits: a path below a regular file is unwritable
    # for everyone.
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    garbage = tmp_path / "garbage" / "fazhi.duckdb"
    garbage.parent.mkdir()
    garbage.write_bytes(bytes(range(256)) * 64)
    for args, place, expected in [
        (["export", str(a_file / "marts")], warehouse, "fazhi export: cannot write to"),
        (["summary"], garbage, "fazhi summary: the warehouse"),
        (["sql", "SELECT 1"], garbage, "fazhi sql: the warehouse"),
        (["summary"], tmp_path / "none" / "fazhi.duckdb", "fazhi summary: no warehouse at"),
        (["build"], a_file / "warehouse" / "fazhi.duckdb", "fazhi build: cannot write"),
    ]:
        ran = fazhi(*args, warehouse=place)
        assert ran.code == 1, args
        assert one_line(ran).startswith(expected), ran.err
    assert "damaged or not a DuckDB file" in fazhi("summary", warehouse=garbage).err
    missing = fazhi(
        "build", warehouse=tmp_path / "w" / "fazhi.duckdb", FAZHI_SOURCES=str(tmp_path / "none")
    )
    assert missing.code == 2
    assert one_line(missing).endswith(f"{tmp_path / 'none'} does not exist (FAZHI_SOURCES)")
    # A file given for the folder is told as such.
    a_file_given = fazhi(
        "build", warehouse=tmp_path / "w" / "fazhi.duckdb", FAZHI_SOURCES=str(a_file)
    )
    assert a_file_given.code == 2
    assert one_line(a_file_given).endswith(f"{a_file} is a file, not a folder (FAZHI_SOURCES)")


def test_a_warehouse_named_like_the_work_catalog_is_refused_in_one_line(tmp_path: Path) -> None:
    # A file's catalog takes its name: Work.duckdb would stand where the work catalog goes.
    for name in ("work.duckdb", "Work.db"):
        place = tmp_path / name.split(".")[0].lower() / name
        ran = fazhi("build", warehouse=place)
        assert ran.code == 2, name
        assert one_line(ran).startswith(f"fazhi build: the warehouse cannot be named {name}")
        assert not place.parent.exists()
    # Only the catalog's own name is taken.
    assert Settings(SEEDS, tmp_path / "working.duckdb").warehouse.name == "working.duckdb"


def test_a_warehouse_named_with_a_double_quote_is_refused_in_one_line(tmp_path: Path) -> None:
    place = tmp_path / "w" / 'the "final" one.duckdb'
    ran = fazhi("build", warehouse=place)
    assert ran.code == 2
    assert one_line(ran).startswith(f"fazhi build: the warehouse cannot be named {place.name}")
    assert not place.parent.exists()


def test_a_second_warehouse_in_the_folder_of_another_is_refused_in_one_line(
    tmp_path: Path,
) -> None:
    # Two warehouses in one folder would share the work catalog beside them, each taking the
    # other's cached rows for its own: the first one's second build failed on rows made twice.
    env = {"FAZHI_DAGSTER_STORAGE": str(tmp_path / "dagster")}
    first = tmp_path / "w" / "a.duckdb"
    assert fazhi("build", warehouse=first, **env).code == 0
    second = first.with_name("b.duckdb")
    ran = fazhi("build", warehouse=second, **env)
    assert ran.code == 2
    working = Settings(SEEDS, first).staging
    assert one_line(ran).startswith(
        f"fazhi build: {working.parent} keeps the working files of the warehouse a.duckdb"
    )
    assert not second.exists()
    # The first given up as the message says, the second is built, every report made anew.
    working.unlink()
    Path(f"{working}.wal").unlink(missing_ok=True)
    ran = fazhi("build", warehouse=second, **env)
    assert ran.code == 0, ran.err
    counts = "SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM facts), " + (
        "(SELECT count(*) FROM sentence_terms)"
    )
    assert (
        fazhi("sql", counts, "--format", "csv", warehouse=second).out
        == fazhi("sql", counts, "--format", "csv", warehouse=first).out
    )


def test_a_warehouse_inside_the_corpus_folder_never_takes_its_own_files_for_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # FAZHI_SOURCES=. with the warehouse below it: the page, the published file and the store
    # were landed as inputs (the page became a sixth report, the others rejected), and each
    # build changed the corpus for the next, so none was ever "nothing new" and the inbox
    # sensor would start one build after another. So were the Dagster storage in the corpus
    # (its run databases and logs) and a link in it to the published file.
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    place = corpus / "warehouse" / "fazhi.duckdb"
    (corpus / "latest.duckdb").symlink_to(place)
    env = {"FAZHI_DAGSTER_STORAGE": str(corpus / "runs"), "FAZHI_SOURCES": str(corpus)}
    monkeypatch.setenv("FAZHI_DAGSTER_STORAGE", env["FAZHI_DAGSTER_STORAGE"])
    settings = Settings(corpus, place)
    before = inbox_fingerprint(corpus, settings.outputs)
    for args in (["build"], ["build", "--force"]):
        ran = fazhi(*args, warehouse=place, **env)
        assert ran.code == 0, ran.err
    assert settings.report_page.exists()
    assert inbox_fingerprint(corpus, settings.outputs) == before
    assert "nothing new" in fazhi("build", warehouse=place, **env).out
    counted = fazhi(
        "sql",
        "SELECT (SELECT count(*) FROM source_files) AS files, "
        "(SELECT count(*) FROM reports) AS reports, "
        "(SELECT count(*) FROM rejected_sources) AS rejected",
        "--format",
        "csv",
        warehouse=place,
    )
    seeds = len(list(SEEDS.glob("*.txt")))
    assert counted.out.split() == ["files,reports,rejected", f"{seeds},{seeds},0"]


def test_a_figure_past_the_range_of_a_64_bit_integer_is_printed_like_any_other(
    tmp_path: Path,
) -> None:
    # The summary cast each figure to BIGINT: a misprint of 10^19 cases failed every build's
    # summary, and every `fazhi summary` after it.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = (SEEDS / "003_38f8238b59c0effd.txt").read_text(encoding="utf-8").splitlines()
    lines.insert(len(lines) // 2, "全年共受理行政复议案件100000000000亿件。")
    (corpus / "misprint.txt").write_text("\n".join(lines), encoding="utf-8")
    place = tmp_path / "w" / "fazhi.duckdb"
    env = {"FAZHI_DAGSTER_STORAGE": str(tmp_path / "dagster"), "FAZHI_SOURCES": str(corpus)}
    built = fazhi("build", warehouse=place, **env)
    assert built.code == 0, built.err
    assert "1e+19" in built.out
    assert fazhi("summary", warehouse=place).out == built.out


def test_a_folder_or_a_database_of_someone_elses_at_the_warehouse_path_is_left_alone(
    tmp_path: Path,
) -> None:
    # Publishing swaps the file at the warehouse's name aside as the standby, and a later build
    # replaces the standby: a folder there was moved aside and then stopped every build, and a
    # user's own database was swapped aside by one build and gone after the next.
    env = {"FAZHI_DAGSTER_STORAGE": str(tmp_path / "dagster")}
    folder = tmp_path / "a" / "fazhi.duckdb"
    (folder / "kept").mkdir(parents=True)
    theirs = tmp_path / "b" / "mydata.duckdb"
    theirs.parent.mkdir()
    with duckdb.connect(str(theirs)) as conn:
        conn.execute("CREATE TABLE precious AS SELECT 42 AS answer")
    before = sha256(theirs)
    for place, what in ((folder, "a folder"), (theirs, "a DuckDB database fazhi did not make")):
        ran = fazhi("build", warehouse=place, **env)
        assert ran.code == 2
        assert one_line(ran).startswith(f"fazhi build: the warehouse {place} is {what}")
    assert (folder / "kept").is_dir()
    assert sha256(theirs) == before
    assert not list(theirs.parent.glob(".*standby*"))
    # A warehouse fazhi made is published over, even when the record of what it published is
    # gone.
    ours = tmp_path / "c" / "fazhi.duckdb"
    assert fazhi("build", warehouse=ours, **env).code == 0
    (ours.parent / ".fazhi.duckdb.holds.json").unlink()
    rebuilt = fazhi("build", "--force", warehouse=ours, **env)
    assert rebuilt.code == 0, rebuilt.err
    # What fazhi keeps beside it, of the wrong kind, is told before a build, not after it.
    published = sha256(ours)
    for own, kind in ((ours.parent / "report", "file"), (standby_path(ours), "folder")):
        moved = own.rename(own.with_name(f"{own.name}.moved"))
        own.mkdir() if kind == "folder" else own.write_text("not a folder")
        ran = fazhi("build", "--force", warehouse=ours, **env)
        assert ran.code == 2
        assert one_line(ran).startswith(f"fazhi build: {own} is a {kind}, where "), ran.err
        assert sha256(ours) == published
        own.rmdir() if kind == "folder" else own.unlink()
        moved.rename(own)
    assert fazhi("build", "--force", warehouse=ours, **env).code == 0


def test_a_warehouse_whose_path_holds_apostrophes_builds_publishes_and_searches(
    tmp_path: Path,
) -> None:
    # A folder under /home/o'neil: the paths go into SQL where DuckDB takes no parameter (the
    # work catalog's ATTACH, the standby's), and the file's name becomes the database's.
    place = tmp_path / "o'neil's reports" / "2024's.duckdb"
    env = {"FAZHI_DAGSTER_STORAGE": str(tmp_path / "dagster"), "FAZHI_COPY_BELOW_MB": "0"}
    first = fazhi("build", warehouse=place, **env)
    assert first.code == 0, first.err
    standby = standby_path(place).stat().st_ino
    # Published again by updating the standby, attached by its path, and swapping it in: the
    # file published is the standby's, not a copy made anew because the attach failed.
    again = fazhi("build", "--force", warehouse=place, **env)
    assert again.code == 0, again.err
    assert place.stat().st_ino == standby
    counted = fazhi("sql", "SELECT count(*) AS n FROM reports", "--format", "csv", warehouse=place)
    assert counted.out.split() == ["n", str(len(list(SEEDS.glob("*.txt"))))]
    found = fazhi("search", "行政复议", warehouse=place)
    assert found.code == 0, found.err
    assert "reports.report_id" in found.out


def test_export_writes_every_mart_from_a_confined_connection(
    warehouse: Path, tmp_path: Path
) -> None:
    ran = fazhi("export", str(tmp_path / "marts"), warehouse=warehouse)
    assert ran.code == 0, ran.err
    written = sorted(path.name for path in (tmp_path / "marts").iterdir())
    assert {"indicator_matrix.parquet", "indicator_matrix.csv", "fazhi_marts.xlsx"} <= set(written)
    # No half-written file is left beside them.
    assert not [name for name in written if name.startswith(".") or name.endswith(".part")]
    # A second export replaces the files.
    assert fazhi("export", str(tmp_path / "marts"), warehouse=warehouse).code == 0


# Another program at the other end of a pipe: it reads CSV or JSON from stdin and prints what
# it understood as JSON.
READER = textwrap.dedent(
    """
    import csv, json, sys
    if sys.argv[1] == "csv":
        print(json.dumps(list(csv.DictReader(sys.stdin))))
    else:
        print(json.dumps([json.loads(line) for line in sys.stdin]))
    """
)


def piped(*args: str, warehouse: Path, form: str) -> object:
    """What the reader made of `fazhi ARGS --format FORM` piped into it."""
    producer = subprocess.Popen(
        [str(FAZHI), *args, "--format", form],
        stdout=subprocess.PIPE,
        env=os.environ | {"FAZHI_WAREHOUSE": str(warehouse)},
    )
    consumer = subprocess.run(
        [sys.executable, "-c", READER, form],
        stdin=producer.stdout,
        capture_output=True,
        text=True,
        check=True,
    )
    producer.stdout.close()
    assert producer.wait() == 0
    return json.loads(consumer.stdout)


def test_compare_sql_and_search_pipe_csv_and_json_into_another_program(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        expected = conn.execute(
            "SELECT v.region, v.report_year, value, surface, coalesce(source_url, source_name) "
            "FROM marts.indicator_values AS v JOIN reports USING (report_id) "
            "WHERE indicator = 'admin_reconsideration_received' ORDER BY ALL"
        ).fetchall()
        reports = conn.execute(
            "SELECT region, report_year, published_date, n_chars FROM reports ORDER BY ALL"
        ).fetchall()
    compared = piped("compare", "行政复议案件受理数", warehouse=warehouse, form="csv")
    assert (
        sorted(
            (
                row["region"],
                int(row["report_year"]),
                float(row["value"]),
                row["surface"],
                row["source"],
            )
            for row in compared
        )
        == expected
    )
    assert {row["indicator_name"] for row in compared} == {"行政复议案件受理数"}
    # Two queries: one JSON array each, one per line.
    results = piped(
        "sql",
        "SELECT region, report_year, published_date, n_chars FROM reports ORDER BY ALL; "
        "SELECT count(*) AS n FROM reports",
        warehouse=warehouse,
        form="json",
    )
    assert results[1] == [{"n": len(reports)}]
    assert [
        (row["region"], row["report_year"], row["published_date"], row["n_chars"])
        for row in results[0]
    ] == [(region, year, day and day.isoformat(), n) for region, year, day, n in reports]
    (hits,) = piped("search", "行政复议", "--limit", "3", warehouse=warehouse, form="json")
    assert len(hits) == 3
    assert all("行政复议" in hit["sentence"] and hit["report_id"] for hit in hits)
    # A table is for people: each column's Chinese label above its English name.
    table = fazhi("compare", "行政复议案件受理数", warehouse=warehouse).out.splitlines()
    assert table[2].split()[:3] == ["地区", "年度", "数值"]
    assert table[3].split()[:3] == ["region", "year", "value"]


def test_the_row_limit_note_stays_out_of_csv(warehouse: Path) -> None:
    ran = fazhi(
        "sql", "SELECT * FROM range(5)", "--max-rows", "2", "--format", "csv", warehouse=warehouse
    )
    assert ran.out.splitlines() == ["range", "0", "1"]
    assert "first 2 rows" in ran.err


# Far more than a pipe holds (64 KiB) and head reads before it exits: fazhi is still writing
# when head has gone, so its pipe breaks under it.
MANY_ROWS = "SELECT range AS n, repeat('法治', 20) AS words FROM range(100000)"


@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        (("sql", MANY_ROWS, "--max-rows", "100000", "--format", "csv"), "n,words"),
        (("compliance", "--format", "csv"), "region,year,measures,"),
    ],
)
def test_a_reader_that_stops_early_ends_the_command_quietly(
    warehouse: Path, args: tuple[str, ...], first_line: str
) -> None:
    producer = subprocess.Popen(
        [str(FAZHI), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ | {"FAZHI_WAREHOUSE": str(warehouse)},
    )
    head = subprocess.run(
        ["head", "-1"], stdin=producer.stdout, capture_output=True, text=True, check=True
    )
    # The last reader of the pipe gone, fazhi's next write fails.
    producer.stdout.close()
    assert producer.wait() == 0
    assert producer.stderr.read().decode() == ""
    assert head.stdout.startswith(first_line)


def stopping_signals_heard(pid: int) -> bool:
    """Whether the process has its own handler for SIGTERM (Python leaves it to the system until
    fazhi's command sets one)."""
    status = Path(f"/proc/{pid}/status").read_text()
    caught = int(
        next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1], 16
    )
    return bool(caught >> (signal.SIGTERM - 1) & 1)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_command_told_to_stop_ends_in_one_line(warehouse: Path, stop: signal.Signals) -> None:
    """A query that would run for hours, stopped: one line and the shell's code for the signal,
    not Python's trace of where it was."""
    env = {**os.environ, "FAZHI_WAREHOUSE": str(warehouse)}
    query = start(
        ["-m", "pipelines.cli", "sql", "SELECT count(*) FROM range(10^12) t(n) WHERE n % 7 = 3"],
        env,
        subprocess.PIPE,
    )
    deadline = time.monotonic() + HANG
    while not stopping_signals_heard(query.pid):
        assert query.poll() is None, query.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    query.send_signal(stop)
    out, err = query.communicate(timeout=HANG)
    assert query.returncode == 128 + stop
    how = "Ctrl-C" if stop == signal.SIGINT else "SIGTERM"
    assert (out, err) == ("", f"fazhi sql: stopped by {how}\n")


def test_a_working_database_another_program_holds_fails_the_build_at_once_in_a_few_lines(
    tmp_path: Path,
) -> None:
    """A DuckDB shell or notebook left open on the working database: the build says who holds
    it, at once (it retried for ~100 s, then printed 115 lines of Dagster's traces), and a
    later build, once it is let go, succeeds."""
    place = tmp_path / "w" / "fazhi.duckdb"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(next(SEEDS.glob("*.txt")), corpus)
    env = {"FAZHI_DAGSTER_STORAGE": str(tmp_path / "dagster"), "FAZHI_SOURCES": str(corpus)}
    assert fazhi("build", warehouse=place, **env).code == 0
    staging = Settings(sources=corpus, warehouse=place).staging
    with duckdb.connect(str(staging)):
        ran = fazhi("build", "--force", warehouse=place, **env)
    assert ran.code == 1
    assert "Traceback" not in ran.err and "Stack Trace" not in ran.err, ran.err
    lines = ran.err.strip().splitlines()
    assert len(lines) <= 3, ran.err
    assert f'Could not set lock on file "{staging}"' in lines[0]
    assert f"(PID {os.getpid()})" in lines[0]
    assert lines[-1].startswith("fazhi build failed in: the run (each error is told above")
    assert fazhi("build", "--force", warehouse=place, **env).code == 0


def test_a_command_whose_output_is_closed_says_so(warehouse: Path) -> None:
    """fazhi summary >&-: what it would print is lost, so it says that and fails."""
    done = subprocess.run(
        [str(FAZHI), "summary"],
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"FAZHI_WAREHOUSE": str(warehouse)},
        preexec_fn=lambda: os.close(1),
        check=False,
    )
    assert (done.returncode, done.stderr) == (1, "fazhi summary: its standard output is closed\n")


def _files_of_at_most(size: int) -> Callable[[], None]:
    def limit() -> None:
        # A write past the limit fails with EFBIG, as on a full disk, instead of a signal.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


@pytest.mark.parametrize("size", [2_000, 20_000, 200_000])
def test_an_export_whose_writes_fail_is_one_line_and_leaves_no_partial_file(
    warehouse: Path, tmp_path: Path, size: int
) -> None:
    """Writes that fail part-way (a full disk, a quota) at a Parquet file, a CSV or the workbook:
    polars' and the workbook's XML writer's errors were tracebacks, and the abandoned
    workbook's streams printed more traces as they were collected."""
    folder = tmp_path / "export"
    done = subprocess.run(
        [str(FAZHI), "export", str(folder)],
        capture_output=True,
        text=True,
        env=os.environ | {"FAZHI_WAREHOUSE": str(warehouse)},
        preexec_fn=_files_of_at_most(size),
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith(f"fazhi export: cannot write to {folder}: "), done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert not list(folder.glob(".*.part"))
