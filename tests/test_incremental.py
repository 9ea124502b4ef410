"""Content-hash caching: a re-run redoes the per-report work of what changed only, and what it
publishes equals a build from scratch over the same inputs."""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipelines.defs.resources import WORK_LOG_FOLDED, WorkingDatabase
from pipelines.settings import PROJECT_ROOT, Settings
from pipelines.warehouse import incremental, stages
from pipelines.warehouse.incremental import (
    Refreshed,
    Stage,
    Step,
    refresh,
    refresh_chain,
    stage_keys,
    versioned,
)
from pipelines.warehouse.tables import rows_made_or_stored, rows_of_reports
from tests.conftest import SEEDS, Build, comparable_tables, run_build
from tests.processes import kill_group, start, wait_for_file
from tests.test_cleaning import (
    UNKNOWN_SITE_FOOTER,
    UNKNOWN_SITE_HEADER,
    UNKNOWN_SITE_SEEDS,
    lines_of,
)

# Each per-report stage, by the asset whose materialization says how it went.
PER_REPORT_STAGES = {
    "documents": "documents",
    "boilerplate": "boilerplate",
    "reports": "reports",
    "structure": "sections",
    "facts": "facts",
    "terms": "terms",
    # The invariants are checked for the reports made in this run, their findings kept.
    "quality": "withheld_reports",
}


def computed_per_stage(build: Build) -> dict[str, tuple[int, int, int]]:
    """(computed, from cache, removed) reports of each per-report stage in a build."""
    metadata = {
        event.asset_key.to_user_string(): event.materialization.metadata
        for event in build.result.get_asset_materialization_events()
    }
    return {
        stage: (
            metadata[asset]["reports_computed"].value,
            metadata[asset]["reports_from_cache"].value,
            metadata[asset]["reports_removed"].value,
        )
        for stage, asset in PER_REPORT_STAGES.items()
    }


def write_site_page(folder: Path, seed: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    page = UNKNOWN_SITE_HEADER + lines_of(SEEDS / seed) + UNKNOWN_SITE_FOOTER
    (folder / seed).write_text("\n".join(page), encoding="utf-8")


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """Builds the given sources into a new warehouse and returns its tables."""

    def build(sources: Path) -> dict[str, list[tuple]]:
        root = tmp_path / f"scratch_{len(list(tmp_path.glob('scratch_*')))}"
        copied = root / "sources"
        shutil.copytree(sources, copied)
        warehouse = root / "warehouse" / "fazhi.duckdb"
        assert run_build(copied, warehouse, monkeypatch).result.success
        return comparable_tables(warehouse)

    yield build


def test_reruns_redo_only_what_changed_and_equal_a_build_from_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scratch
) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(SEEDS, sources / "plain", ignore=shutil.ignore_patterns(*UNKNOWN_SITE_SEEDS))
    # Two pages of a site whose chrome no rule knows: two pages are not yet a pattern.
    for seed in UNKNOWN_SITE_SEEDS[:2]:
        write_site_page(sources / "site", seed)
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    # Published by updating the standby, however small: reports made again and taken away
    # reach the published file as their rows, not as a copy of the working database.
    monkeypatch.setenv("FAZHI_COPY_BELOW_MB", "0")
    first = run_build(sources, warehouse, monkeypatch)
    assert first.result.success
    assert computed_per_stage(first) == {node: (4, 0, 0) for node in PER_REPORT_STAGES}
    assert comparable_tables(warehouse) == scratch(sources)

    # A third page makes the site's header and footer repeat: the two earlier pages are cleaned
    # again (their text loses the chrome), the plain seeds are not touched.
    write_site_page(sources / "site", UNKNOWN_SITE_SEEDS[2])
    second = run_build(sources, warehouse, monkeypatch)
    assert second.result.success
    counts = computed_per_stage(second)
    assert counts["documents"] == (1, 4, 0)
    for node in ("boilerplate", "reports", "structure", "facts", "terms"):
        assert counts[node] == (3, 2, 0), node
    assert comparable_tables(warehouse) == scratch(sources)

    # A report taken away: its rows go from every table, nothing is computed.
    (sources / "plain" / "002_0d1779802d6e58b2.txt").unlink()
    third = run_build(sources, warehouse, monkeypatch)
    assert third.result.success
    assert computed_per_stage(third) == {node: (0, 4, 1) for node in PER_REPORT_STAGES}
    assert comparable_tables(warehouse) == scratch(sources)


def test_a_corpus_without_a_report_builds_and_reports_come_and_go_from_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scratch
) -> None:
    # Every input rejected (or none at all): the stages make their tables empty, and the terms
    # stage took the first report of the empty batch, so such a corpus never built.
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "empty.txt").write_bytes(b"")
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    without = scratch(sources)
    assert run_build(sources, warehouse, monkeypatch).result.success
    assert comparable_tables(warehouse) == without
    with duckdb.connect(str(warehouse), read_only=True) as published:
        assert published.execute(
            "SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM rejected_sources)"
        ).fetchone() == (0, 1)
    seed = shutil.copy(SEEDS / "000_39ca0c9c455ce9cc.txt", sources)
    assert run_build(sources, warehouse, monkeypatch).result.success
    assert comparable_tables(warehouse) == scratch(sources)
    Path(seed).unlink()
    assert run_build(sources, warehouse, monkeypatch).result.success
    assert comparable_tables(warehouse) == without


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(tmp_path / "main.duckdb")) as connection:
        connection.execute(f"ATTACH '{tmp_path / 'work.duckdb'}' AS work")
        yield connection


def lengths(batch: pl.DataFrame, texts: dict[str, str], made: list[str]) -> dict:
    made.extend(batch["report_id"])
    rows = batch.with_columns(
        length=pl.col("report_id").replace_strict(
            {report_id: len(text) for report_id, text in texts.items()}
        )
    )
    return {"work.lengths": rows}


def test_refresh_makes_new_keys_drops_stale_rows_and_follows_its_rules(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    stage = Stage("lengths", code=("warehouse",), tables=("work.lengths",))
    texts = {"a": "一二三", "b": "一二", "c": "一"}
    made: list[str] = []

    def keys() -> pl.DataFrame:
        return pl.DataFrame({"report_id": list(texts), "key": list(texts.values())})

    def run(on: Stage = stage, batch_reports: int = 1000):
        return refresh(conn, on, keys(), lambda b: lengths(b, texts, made), batch_reports)

    def rows() -> list[tuple]:
        return conn.execute("SELECT * FROM work.lengths ORDER BY ALL").fetchall()

    assert run().computed == 3
    assert run().reused == 3 and made == ["a", "b", "c"]
    texts["b"] = "一二三四"
    del texts["c"]
    refreshed = run()
    assert (refreshed.computed, refreshed.reused, refreshed.removed) == (1, 1, 1)
    assert rows() == [("a", 3), ("b", 4)]
    # Another rule file is another version: every report is made again.
    changed_rules = Stage(
        "lengths", code=("warehouse",), tables=("work.lengths",), rules=("units.tsv",)
    )
    assert changed_rules.version != stage.version
    assert run(changed_rules).computed == 2
    assert rows() == [("a", 3), ("b", 4)]
    assert set(stage_keys(conn, changed_rules)["report_id"]) == {"a", "b"}
    # A table the stage did not write before is another version; a table gone makes all again.
    more_tables = Stage("lengths", code=("warehouse",), tables=("work.lengths", "work.more"))
    assert more_tables.version != stage.version
    assert run().computed == 2
    conn.execute("DROP TABLE work.lengths")
    assert run().computed == 2
    assert rows() == [("a", 3), ("b", 4)]


def test_a_chain_hands_each_batch_on_in_memory_and_stores_what_separate_stages_store(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    texts = {"a": "一二三", "b": "一二", "c": "一", "d": "一二三四五"}
    keys = pl.DataFrame({"report_id": list(texts), "key": list(texts.values())})
    measure = Stage("measure", code=("warehouse",), tables=("work.lengths",))
    double = Stage("double", code=("warehouse",), tables=("work.doubled",))
    handed_on: list[list[str]] = []

    def lengths_of(batch: pl.DataFrame, _: object) -> dict[str, pl.DataFrame]:
        return lengths(batch, texts, [])

    def doubled(batch: pl.DataFrame, made: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
        # What the first stage made of this very batch arrives in memory, not from the table.
        handed_on.append(sorted(made["work.lengths"]["report_id"]))
        rows = rows_made_or_stored(conn, "work.lengths", batch, made)
        return {"work.doubled": rows.with_columns(pl.col("length") * 2)}

    refreshed = refresh_chain(
        conn,
        [Step(measure, keys, lengths_of), Step(double, versioned(measure, keys), doubled)],
        batch_reports=3,
    )
    assert [(r.computed, r.reused) for r in refreshed] == [(4, 0), (4, 0)]
    assert handed_on == [["a", "b", "c"], ["d"]]
    assert conn.execute("SELECT * FROM work.doubled ORDER BY ALL").fetchall() == [
        ("a", 6),
        ("b", 4),
        ("c", 2),
        ("d", 10),
    ]
    # Only the first stage's version changes: the second reads what it needs back.
    handed_on.clear()
    measure = Stage("measure", code=("warehouse",), tables=("work.lengths",), rules=("units.tsv",))
    refreshed = refresh_chain(
        conn,
        [Step(measure, keys, lengths_of), Step(double, versioned(measure, keys), doubled)],
        batch_reports=3,
    )
    assert [(r.computed, r.reused) for r in refreshed] == [(4, 0), (4, 0)]
    assert conn.execute("SELECT count(*) FROM work.doubled").fetchone() == (4,)


def test_a_chain_runs_duckdb_on_one_thread_and_gives_its_threads_back(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    """The stages' own threads keep the cores busy while a chain runs: DuckDB gets one, and
    its threads back once the chain is done, or once it fails."""
    texts = {"a": "一二三", "b": "一二"}
    keys = pl.DataFrame({"report_id": list(texts), "key": list(texts.values())})
    stage = Stage("threads", code=("warehouse",), tables=("work.lengths",))
    threads = "SELECT current_setting('threads')"
    conn.execute("SET threads = 3")
    seen: list[int] = []

    def lengths_of(batch: pl.DataFrame, _: object) -> dict[str, pl.DataFrame]:
        seen.append(conn.execute(threads).fetchone()[0])
        return lengths(batch, texts, [])

    refresh_chain(conn, [Step(stage, keys, lengths_of)])
    assert seen == [1] and conn.execute(threads).fetchone() == (3,)

    def fails(batch: pl.DataFrame, _: object) -> dict[str, pl.DataFrame]:
        raise RuntimeError("a stage that fails")

    texts["c"] = "一"
    keys = pl.DataFrame({"report_id": list(texts), "key": list(texts.values())})
    with pytest.raises(RuntimeError):
        refresh_chain(conn, [Step(stage, keys, fails)])
    assert conn.execute(threads).fetchone() == (3,)


def test_a_stage_computed_in_duckdb_keeps_its_threads(conn: duckdb.DuckDBPyConnection) -> None:
    """A stage whose work is DuckDB's queries (the invariant checks) competes with no thread of
    its own: DuckDB keeps every thread it has, and the rows are the same."""
    texts = {"a": "一二三", "b": "一二"}
    keys = pl.DataFrame({"report_id": list(texts), "key": list(texts.values())})
    stage = Stage("in_duckdb", code=("warehouse",), tables=("work.lengths",))
    conn.execute("SET threads = 3")
    seen: list[int] = []

    def lengths_of(batch: pl.DataFrame) -> dict[str, pl.DataFrame]:
        seen.append(conn.execute("SELECT current_setting('threads')").fetchone()[0])
        return lengths(batch, texts, [])

    refreshed = refresh(conn, stage, keys, lengths_of, computed_in_duckdb=True)
    assert seen == [3] and refreshed.computed == 2
    assert conn.execute("SELECT report_id, length FROM work.lengths ORDER BY 1").fetchall() == [
        ("a", 3),
        ("b", 2),
    ]


def test_a_stage_is_handed_the_next_batch_before_the_chain_works_on_this_one(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    texts = {"a": "一二三", "b": "一二", "c": "一", "d": "一二三四五", "e": "一二三四"}
    keys = pl.DataFrame({"report_id": list(texts), "key": list(texts.values())})
    measure = Stage("measure", code=("warehouse",), tables=("work.lengths",))
    events: list[str] = []

    def lengths_of(batch: pl.DataFrame, made: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
        events.append("compute " + "".join(batch["report_id"]))
        # What was read ahead for this batch comes with it.
        assert made["read ahead"]["report_id"].to_list() == batch["report_id"].to_list()
        return lengths(batch, texts, [])

    def ahead(batch: pl.DataFrame) -> dict[str, pl.DataFrame]:
        events.append("ahead " + "".join(batch["report_id"]))
        return {"read ahead": batch}

    refresh_chain(conn, [Step(measure, keys, lengths_of, ahead)], batch_reports=2)
    assert events == [
        "ahead ab",
        "ahead cd",
        "compute ab",
        "ahead e",
        "compute cd",
        "compute e",
    ]


def test_a_step_of_a_chain_computes_beside_the_stages_after_it_and_the_next_batch(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    """A step marked beside computes a batch in a thread of its own while the stages after it
    go on with the batch and the stages before it start on the next one (synchronised on
    events: the beside step's first batch waits for the first stage to begin the second), and
    stores what it would have stored in turn; a chain has one such step at most, and what fails
    in it fails the chain."""
    texts = {"a": "一二三", "b": "一二", "c": "一", "d": "一二三四五", "e": "一二三四"}
    keys = pl.DataFrame({"report_id": list(texts), "key": list(texts.values())})
    measure = Stage("measure", code=("warehouse",), tables=("work.lengths",))
    double = Stage("double", code=("warehouse",), tables=("work.doubled",))
    triple = Stage("triple", code=("warehouse",), tables=("work.tripled",))
    second_batch_begun = threading.Event()
    threads: set[str] = set()

    def lengths_of(batch: pl.DataFrame, _: object) -> dict[str, pl.DataFrame]:
        if batch["report_id"][0] == "c":
            second_batch_begun.set()
        return lengths(batch, texts, [])

    def doubled(batch: pl.DataFrame, made: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
        threads.add(threading.current_thread().name)
        if batch["report_id"][0] == "a":
            assert second_batch_begun.wait(timeout=120)
        return {"work.doubled": made["work.lengths"].with_columns(pl.col("length") * 2)}

    def tripled(batch: pl.DataFrame, made: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
        assert "work.doubled" not in made
        return {"work.tripled": made["work.lengths"].with_columns(pl.col("length") * 3)}

    steps = [
        Step(measure, keys, lengths_of),
        Step(double, versioned(measure, keys), doubled, beside=True),
        Step(triple, versioned(measure, keys), tripled),
    ]
    refreshed = refresh_chain(conn, steps, batch_reports=2)
    assert [(r.computed, r.reused) for r in refreshed] == [(5, 0), (5, 0), (5, 0)]
    assert threading.current_thread().name not in threads
    for table, times in (("work.doubled", 2), ("work.tripled", 3)):
        assert conn.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall() == [
            (report, len(text) * times) for report, text in texts.items()
        ]
    both_beside = [steps[0], steps[1], Step(triple, steps[2].keys, tripled, beside=True)]
    with pytest.raises(ValueError, match="only one step"):
        refresh_chain(conn, both_beside)

    def fails(batch: pl.DataFrame, _: object) -> dict[str, pl.DataFrame]:
        raise RuntimeError("a stage beside the chain that fails")

    changed = keys.with_columns(key=pl.col("key") + "!")
    with pytest.raises(RuntimeError, match="beside the chain"):
        refresh_chain(
            conn,
            [Step(measure, changed, lengths_of), Step(double, changed, fails, beside=True)],
            batch_reports=2,
        )


def test_rows_made_are_taken_with_the_types_and_order_a_read_gives(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    conn.execute("CREATE TABLE work.lines (report_id VARCHAR, line_no INTEGER, line VARCHAR)")
    conn.execute("INSERT INTO work.lines VALUES ('a', 1, 'stored'), ('b', 1, 'stored')")
    made = {
        "work.lines": pl.DataFrame(
            {"line": ["made 2", "made 1"], "line_no": [2, 1], "report_id": ["a", "a"]}
        )
    }
    only_a = pl.DataFrame({"report_id": ["a"]})
    taken = rows_made_or_stored(conn, "work.lines", only_a, made, "report_id, line_no")
    assert taken.rows() == [("a", 1, "made 1"), ("a", 2, "made 2")]
    assert taken.schema == rows_of_reports(conn, "work.lines", only_a).schema
    # A report the earlier stage did not make is read, and only that one: the rows of those it
    # made may not be stored yet (here a's stored rows are old ones, which it must not take).
    both = pl.DataFrame({"report_id": ["b", "a"]})
    taken = rows_made_or_stored(conn, "work.lines", both, made, "report_id, line_no")
    assert taken["line"].to_list() == [
        "made 1",
        "made 2",
        "stored",
    ]


def test_the_shared_code_is_part_of_every_stage_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every stage runs pipelines/shared (the patterns of report text, the rule loader): a
    change there makes every report again in every stage, whichever folders the stage names."""
    every_stage = [value for value in vars(stages).values() if isinstance(value, Stage)]
    assert stages.READING in every_stage and stages.TERMS in every_stage

    def versions() -> dict[str, str]:
        # A copy of each stage, since a stage keeps the version it computed first.
        return {stage.name: replace(stage).version for stage in every_stage}

    here = versions()
    shutil.copytree(
        PROJECT_ROOT / "pipelines",
        tmp_path / "pipelines",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    monkeypatch.setattr(incremental, "PROJECT_ROOT", tmp_path)
    before = versions()
    assert before == here
    patterns = tmp_path / "pipelines" / "shared" / "patterns.py"
    patterns.write_text(patterns.read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
    after = versions()
    assert [name for name in before if after[name] == before[name]] == []


def test_a_refresh_that_fails_part_way_is_finished_by_the_next(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    stage = Stage("lengths", code=("warehouse",), tables=("work.lengths",))
    texts = {"a": "一二三", "b": "一二", "c": "一"}
    keys = pl.DataFrame({"report_id": list(texts), "key": list(texts.values())})
    made: list[str] = []

    def failing_after_one(batch: pl.DataFrame) -> dict:
        if made:
            raise RuntimeError("killed")
        return lengths(batch, texts, made)

    with pytest.raises(RuntimeError):
        refresh(conn, stage, keys, failing_after_one, batch_reports=1)
    refreshed = refresh(conn, stage, keys, lambda b: lengths(b, texts, made))
    assert (refreshed.computed, refreshed.reused) == (2, 1)
    assert conn.execute("SELECT * FROM work.lengths ORDER BY ALL").fetchall() == [
        ("a", 3),
        ("b", 2),
        ("c", 1),
    ]


# A stage with a keyed public table (sections), a public table without a key (boilerplate) and a
# work table: one section and one dropped line per character of a report's text.
KILLABLE = Stage(
    "killable", code=("warehouse",), tables=("sections", "boilerplate", "work.lengths")
)


def characters(batch: pl.DataFrame, texts: dict[str, str]) -> dict[str, pl.DataFrame]:
    chars = (
        batch.join(
            pl.DataFrame({"report_id": list(texts), "text": list(texts.values())}), "report_id"
        )
        .with_columns(char=pl.col("text").str.split(""))
        .explode("char", empty_as_null=False)
        .with_columns(no=pl.int_range(1, pl.len() + 1).over("report_id"))
    )
    return {
        "sections": chars.select(
            "report_id",
            section_no="no",
            parent_no=pl.lit(None, pl.Int32),
            level=pl.lit(1),
            label=pl.lit("一、"),
            heading="char",
            part=pl.lit("other"),
            char_start=pl.col("no") - 1,
            char_end="no",
        ),
        "boilerplate": chars.select(
            "report_id", line_no="no", line="char", reason=pl.lit("test"), whole_line=pl.lit(True)
        ),
        "work.lengths": chars.group_by("report_id").agg(length=pl.len()),
    }


def refresh_texts(folder: Path, texts: dict[str, str]) -> Refreshed:
    """Refresh KILLABLE in the working databases of folder, one report a batch."""
    folder.mkdir(exist_ok=True)
    with duckdb.connect(str(folder / "main.duckdb")) as connection:
        connection.execute(f"ATTACH '{folder / 'work.duckdb'}' AS work")
        keys = pl.DataFrame({"report_id": list(texts), "key": list(texts.values())})
        return refresh(connection, KILLABLE, keys, lambda b: characters(b, texts), 1)


def killable_contents(folder: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(folder / "main.duckdb"), read_only=True) as connection:
        connection.execute(f"ATTACH '{folder / 'work.duckdb'}' AS work (READ_ONLY)")
        queries = {table: f"SELECT * FROM {table}" for table in KILLABLE.tables}
        queries["keys"] = "SELECT report_id, key FROM work.stage_keys"
        return {
            name: connection.execute(f"{query} ORDER BY ALL").fetchall()
            for name, query in queries.items()
        }


@pytest.mark.parametrize("point", ["killable.keys_forgotten", "killable.rows_written"])
def test_a_refresh_killed_part_way_is_finished_by_the_next_as_if_never_killed(
    tmp_path: Path, point: str
) -> None:
    killed, fresh = tmp_path / "killed", tmp_path / "fresh"
    before = {"a": "一二三", "b": "一二", "c": "一"}
    # a goes, c changes, d comes: rows to delete, to replace and to make.
    after = {"b": "一二", "c": "三二一〇", "d": "四五"}
    refresh_texts(killed, before)
    marker = tmp_path / "paused"
    child = start(
        [
            "-c",
            "import json, sys; from pathlib import Path; "
            "from tests.test_incremental import refresh_texts; "
            "refresh_texts(Path(sys.argv[1]), json.loads(sys.argv[2]))",
            str(killed),
            json.dumps(after),
        ],
        {**os.environ, "FAZHI_PAUSE_AT": point, "FAZHI_PAUSE_MARKER": str(marker)},
        tmp_path / "stderr.log",
    )
    wait_for_file(marker, child, tmp_path / "stderr.log")
    kill_group(child)

    resumed = refresh_texts(killed, after)
    # a's key went before the kill; c and d are made again, whatever rows they had.
    assert (resumed.computed, resumed.reused, resumed.removed) == (2, 1, 0)
    refresh_texts(fresh, after)
    contents = killable_contents(killed)
    assert contents == killable_contents(fresh)
    # Neither the keyed table nor the one without a key holds a row twice.
    for table in ("sections", "boilerplate"):
        assert len(contents[table]) == len(set(contents[table])) == 8, table


def test_a_build_from_scratch_forgets_every_cached_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(SEEDS / "003_38f8238b59c0effd.txt", sources)
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    assert run_build(sources, warehouse, monkeypatch).result.success
    before = comparable_tables(warehouse)
    work = Settings(sources=sources, warehouse=warehouse).work_database
    with duckdb.connect(str(work)) as conn:
        conn.execute("CREATE TABLE left_by_an_earlier_build AS SELECT 1 AS x")

    build = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "build", "--from-scratch"],
        env={
            **os.environ,
            "FAZHI_SOURCES": str(sources),
            "FAZHI_WAREHOUSE": str(warehouse),
            "FAZHI_DAGSTER_STORAGE": str(tmp_path / "dagster"),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert build.returncode == 0, build.stderr
    with duckdb.connect(str(work), read_only=True) as conn:
        tables = {
            name for (name,) in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
    assert "left_by_an_earlier_build" not in tables
    assert "stage_keys" in tables
    assert comparable_tables(warehouse) == before


def test_the_work_catalogs_log_is_folded_once_it_has_grown(tmp_path: Path) -> None:
    # Every open of the working database replays the log; a run folds it into the file once
    # it has grown (a build leaves megabytes), not for the little a re-run adds.
    working = WorkingDatabase(
        database=str(tmp_path / "fazhi.duckdb"), work_database=str(tmp_path / "work.duckdb")
    )
    log = tmp_path / "work.duckdb.wal"
    with working.get_connection() as conn:
        conn.execute("CREATE TABLE work.small AS SELECT range AS n FROM range(100)")
        assert 0 < log.stat().st_size <= WORK_LOG_FOLDED
        assert not working.fold_work_log(conn)
        conn.execute(
            "CREATE TABLE work.large AS SELECT range AS n, md5(range::VARCHAR) AS h "
            "FROM range(100000)"
        )
        assert log.stat().st_size > WORK_LOG_FOLDED
        assert working.fold_work_log(conn)
        assert not log.exists() or log.stat().st_size < WORK_LOG_FOLDED
        assert conn.execute("SELECT count(*) FROM work.large").fetchone() == (100000,)


def test_a_run_freezes_what_lives_as_long_as_the_process(
    tmp_path: Path, project_instance: dg.DagsterInstance
) -> None:
    # The garbage collector skips, for the run, the objects made before it (modules,
    # definitions, the instance), and takes them back once the run is over.
    frozen_in_run = []

    @dg.asset
    def probe(duckdb: WorkingDatabase) -> None:
        with duckdb.get_connection() as conn:
            conn.execute("SELECT 1")
        frozen_in_run.append(gc.get_freeze_count())

    working = WorkingDatabase(
        database=str(tmp_path / "fazhi.duckdb"), work_database=str(tmp_path / "work.duckdb")
    )
    result = dg.materialize([probe], resources={"duckdb": working}, instance=project_instance)
    assert result.success
    assert frozen_in_run[0] > 10_000
    assert gc.get_freeze_count() == 0
