"""Comparison marts, the compare/sql/export commands, and BI access through SQLAlchemy while a
run publishes."""

from __future__ import annotations

import codecs
import csv
import datetime
import json
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest
import sqlalchemy
from duckdb_engine.datatypes import HugeInteger

from pipelines.cli import main
from pipelines.facts.headlines import headline_facts
from pipelines.marts.export import for_excel, sheet_names
from pipelines.shared.frames import query_frame
from pipelines.warehouse.publish import create_views, ensure_views
from tests.conftest import SEEDS, Build, run_build

SEED_002 = SEEDS / "002_0d1779802d6e58b2.txt"


def next_year_of_002() -> str:
    """Seed 002 as its 2021 report would read: a year on, with 9 reconsideration cases."""
    text = SEED_002.read_text(encoding="utf-8")
    text = text.replace("2021", "2022").replace("2020", "2021")
    return text.replace("受理行政复议案件6件", "受理行政复议案件9件")


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    root = tmp_path_factory.mktemp("two_years")
    sources = root / "sources"
    shutil.copytree(SEEDS, sources)
    (sources / "gxq_2021.txt").write_text(next_year_of_002(), encoding="utf-8")
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield run_build(sources, root / "warehouse" / "fazhi.duckdb", monkeypatch)


def test_one_query_shows_reconsideration_received_with_its_sentences(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        rows = conn.execute(
            "SELECT region, report_year, value, unit, surface, sentence, report_id, char_start, "
            "char_end FROM marts.indicator_values "
            "WHERE indicator = 'admin_reconsideration_received' ORDER BY value"
        ).fetchall()
        texts = dict(conn.execute("SELECT report_id, text FROM reports").fetchall())
    assert [(region, year, value, unit) for region, year, value, unit, *_ in rows] == [
        ("天津滨海高新区", 2020, 6.0, "件"),
        ("天津经济技术开发区", 2020, 19.0, "件"),
        ("滨海新区", 2024, 1423.0, "件"),
    ]
    for *_, surface, sentence, report_id, start, end in rows:
        assert texts[report_id][start:end] == surface
        assert surface in sentence


def test_several_figures_are_listed_not_summed(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        figures = conn.execute(
            "SELECT report_id, count(*), max(figures), count(DISTINCT unit) "
            "FROM marts.indicator_values WHERE indicator = 'enforcement_inspections' "
            "GROUP BY report_id HAVING count(*) > 1"
        ).fetchall()
        headline = conn.execute(
            "SELECT count(*), bool_and(unit = '次') FROM marts.headline_figures "
            "WHERE indicator = 'enforcement_inspections'"
        ).fetchone()
    assert figures, "a report with several inspection figures"
    assert all(n == listed for _, n, listed, _ in figures)
    assert any(units > 1 for *_, units in figures)
    assert headline[1] is True


def test_the_matrix_is_a_plain_table_of_headline_figures(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        matrix = query_frame(conn, "SELECT * FROM marts.indicator_matrix")
        headline = query_frame(
            conn,
            "SELECT report_id, value FROM marts.headline_figures "
            "WHERE indicator = 'admin_reconsideration_received'",
        )
        n_reports = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    assert matrix.height == n_reports
    numeric = matrix.drop("region", "parent_region", "report_year", "org_name", "report_id")
    assert all(dtype == pl.Float64 for dtype in numeric.dtypes)
    joined = matrix.join(headline, on="report_id")
    assert joined["admin_reconsideration_received"].to_list() == joined["value"].to_list()


def test_headline_figures_are_each_reports_first_comparable_achievement(
    seeds_build: Build,
) -> None:
    # Picked with each report's facts (headline_facts), they are what the definition picks
    # from every figure: per report and indicator, the first achievement in a comparable unit
    # that is neither a part nor a change.
    defined = """
        SELECT * EXCLUDE (standard_unit, kind, role, parent_fact_no, indicator_rule, figure_no,
                          surface, subject, sentence_no)
        FROM marts.indicator_values
        WHERE standard_unit AND role <> 'part' AND kind <> 'change'
        QUALIFY row_number() OVER (PARTITION BY report_id, indicator ORDER BY figure_no) = 1
    """
    with seeds_build.connect() as conn:
        picked = conn.execute("SELECT * FROM marts.headline_figures ORDER BY ALL").fetchall()
        by_definition = conn.execute(f"SELECT * FROM ({defined}) ORDER BY ALL").fetchall()
    assert len(picked) > 10
    assert picked == by_definition


def test_a_headline_is_the_first_figure_in_the_indicators_own_measure() -> None:
    # One report's figures of reconsideration cases received (件), in reading order: a target,
    # a part of a total, a growth rate, a count of people, then cases counted in 宗 (the same
    # measure as 件), then in 件.
    facts = pl.DataFrame(
        {
            "report_id": ["r"] * 6,
            "fact_no": list(range(6)),
            "sentence_no": [0, 1, 1, 2, 3, 4],
            "indicator": ["admin_reconsideration_received"] * 6,
            "is_target": [True, False, False, False, False, False],
            "role": ["single", "part", "single", "single", "single", "single"],
            "kind": ["count", "count", "change", "count", "count", "count"],
            "unit": ["件", "件", "%", "人", "宗", "件"],
            "comparable_unit": [True, True, False, False, True, True],
        }
    )
    sentences = pl.DataFrame(
        {
            "report_id": ["r"] * 5,
            "sentence_no": list(range(5)),
            "text": [f"第{number}句。" for number in range(5)],
            "char_start": [number * 4 for number in range(5)],
        }
    )
    picked = headline_facts(facts, sentences)
    assert picked.to_dicts() == [
        {
            "report_id": "r",
            "indicator": "admin_reconsideration_received",
            "fact_no": 4,
            # Every figure outside the plans, whatever its unit.
            "figures": 5,
            "sentence": "第3句。",
            "sentence_start": 12,
        }
    ]
    # A unit whose measure is unknown counts only when it is the indicator's own.
    unknown = facts.with_columns(comparable_unit=pl.lit(None, dtype=pl.Boolean))
    assert headline_facts(unknown, sentences)["fact_no"].to_list() == [5]


def test_year_over_year_change_of_a_region_with_two_years(two_years: Build) -> None:
    with two_years.connect() as conn:
        changes = conn.execute(
            "SELECT region, indicator, previous_year, report_year, previous_value, value, change, "
            "change_pct FROM marts.indicator_changes "
            "WHERE indicator = 'admin_reconsideration_received'"
        ).fetchall()
    assert changes == [
        ("天津滨海高新区", "admin_reconsideration_received", 2020, 2021, 6.0, 9.0, 3.0, 50.0)
    ]


def test_shortcomings_and_plans_side_by_side(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        shortcomings, plans = conn.execute(
            "SELECT shortcomings, plans FROM marts.shortcomings_and_plans "
            "WHERE region = '天津滨海高新区'"
        ).fetchone()
    assert "法治意识和法治能力有待提高" in shortcomings
    assert "坚持党的全面领导" not in shortcomings
    assert "坚持党的全面领导" in plans


# The two views' plain definitions, each part grouped over every report and joined to the
# reports after: the views group with the report instead (so a query of a few reports reads
# only theirs), and must give exactly these rows.
PLAIN_SHORTCOMINGS = """
WITH parts AS (
    SELECT report_id,
           string_agg(text, '' ORDER BY sentence_no) FILTER (part = 'shortcomings') AS s,
           string_agg(text, '' ORDER BY sentence_no) FILTER (part = 'plans') AS p
    FROM main.sentences GROUP BY report_id
)
SELECT r.region, r.parent_region, r.report_year, r.org_name, s, p, length(s), length(p),
       r.report_id
FROM main.reports AS r LEFT JOIN parts USING (report_id)
"""
PLAIN_COMPLIANCE_PARTS = """
WITH tops AS (
    SELECT report_id, part,
           string_agg(trim(label || heading), '；' ORDER BY section_no) AS headings
    FROM main.sections WHERE level = 1 GROUP BY report_id, part
),
parts AS (
    SELECT report_id,
           any_value(headings) FILTER (part = 'measures') AS m,
           any_value(headings) FILTER (part = 'leadership') AS l,
           any_value(headings) FILTER (part = 'shortcomings') AS s,
           any_value(headings) FILTER (part = 'plans') AS p,
           any_value(headings) FILTER (part = 'other') AS o
    FROM tops GROUP BY report_id
)
SELECT r.report_id, m, l, s, p, o,
       (SELECT count(*) FROM main.facts AS f WHERE f.report_id = r.report_id)
FROM main.reports AS r LEFT JOIN parts USING (report_id)
"""
COMPLIANCE_PARTS = (
    "SELECT report_id, measures_heading, leadership_heading, shortcomings_heading, "
    "plans_heading, other_heading, n_figures FROM marts.report_compliance"
)


def test_shortcomings_and_compliance_are_their_plain_definitions(two_years: Build) -> None:
    with two_years.connect() as conn:
        # A report without a shortcomings part is among them.
        for view, plain in (
            ("SELECT * FROM marts.shortcomings_and_plans", PLAIN_SHORTCOMINGS),
            (COMPLIANCE_PARTS, PLAIN_COMPLIANCE_PARTS),
        ):
            rows = sorted(conn.execute(view).fetchall(), key=str)
            assert rows == sorted(conn.execute(plain).fetchall(), key=str)
            assert len(rows) == conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        assert conn.execute(
            "SELECT count(*) FROM marts.shortcomings_and_plans WHERE shortcomings IS NULL"
        ).fetchone()[0]


def grouped_rows(node: dict, table: str) -> list[int]:
    """The rows each grouping of a query plan (EXPLAIN (ANALYZE, FORMAT json)) took in, of
    those that read table."""

    def tables(node: dict) -> set[str]:
        info = node.get("extra_info")
        own = (
            {info["Table"].rsplit(".", 1)[-1]}
            if isinstance(info, dict) and "Table" in info
            else set()
        )
        return own.union(*(tables(child) for child in node.get("children", [])))

    found = []
    if node.get("operator_type") == "HASH_GROUP_BY" and table in tables(node):
        found.append(sum(child["operator_cardinality"] for child in node["children"]))
    for child in node.get("children", []):
        found += grouped_rows(child, table)
    return found


def test_a_query_of_some_reports_groups_only_their_rows(two_years: Build) -> None:
    """The page asks the two views for the reports it shows: their sentences and headings are
    grouped, not every report's."""
    with two_years.connect() as conn:
        (one,) = conn.execute("SELECT min(report_id) FROM reports").fetchone()
        for view, table in (
            ("marts.shortcomings_and_plans", "sentences"),
            ("marts.report_compliance", "sections"),
        ):
            plan = conn.execute(
                "EXPLAIN (ANALYZE, FORMAT json) "
                f"SELECT * FROM {view} WHERE list_contains(?, report_id)",
                [[one]],
            ).fetchall()[0][1]
            (own,) = conn.execute(
                f"SELECT count(*) FROM {table} WHERE report_id = ?", [one]
            ).fetchone()
            grouped = grouped_rows(json.loads(plan), table)
            assert grouped and max(grouped) <= own, (view, grouped, own)


def test_coverage_lists_every_indicator_for_every_report(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        total, stated = conn.execute(
            "SELECT count(*), count(*) FILTER (stated AND indicator = 'admin_reconsideration_received') "
            "FROM marts.indicator_coverage"
        ).fetchone()
        expected = conn.execute(
            "SELECT (SELECT count(*) FROM reports) * (SELECT count(*) FROM indicators)"
        ).fetchone()[0]
    assert (total, stated) == (expected, 3)


@pytest.fixture
def warehouse_env(seeds_build: Build, monkeypatch: pytest.MonkeyPatch) -> Build:
    monkeypatch.setenv("FAZHI_WAREHOUSE", str(seeds_build.warehouse))
    return seeds_build


def test_compare_prints_regions_side_by_side_with_evidence(
    warehouse_env: Build, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compare", "行政复议案件受理数"]) == 0
    out = capsys.readouterr().out
    assert "3 reports state it" in out
    for region, figure in [
        ("天津滨海高新区", "6 件"),
        ("天津经济技术开发区", "19 件"),
        ("滨海新区", "1423 件"),
    ]:
        line = next(line for line in out.splitlines() if line.startswith(region + " "))
        assert figure in line
        assert "受理" in line
    assert main(["compare", "admin_reconsideration_received", "--year", "2024"]) == 0
    assert "1 reports state it" in capsys.readouterr().out


def test_compare_names_the_indicators_an_ambiguous_name_could_mean(
    warehouse_env: Build, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compare", "行政复议"]) == 2
    err = capsys.readouterr().err
    assert "admin_reconsideration_received" in err
    assert "admin_reconsideration_closed" in err


def test_sql_runs_read_only(warehouse_env: Build, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "SELECT region, report_year FROM marts.report_overview ORDER BY 1, 2"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["region", "report_year"]
    assert "滨海新区" in out
    assert main(["sql", "DELETE FROM reports"]) == 2
    assert "read-only" in capsys.readouterr().err
    with warehouse_env.connect() as conn:
        assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 5


def test_export_writes_every_mart_as_parquet_csv_and_one_workbook(
    warehouse_env: Build, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", str(tmp_path / "marts")]) == 0
    with warehouse_env.connect() as conn:
        views = {
            name
            for (name,) in conn.execute(
                "SELECT view_name FROM duckdb_views() WHERE schema_name = 'marts'"
            ).fetchall()
        }
        matrix_rows = conn.execute("SELECT count(*) FROM marts.indicator_matrix").fetchone()[0]
    folder = tmp_path / "marts"
    files = {path.stem: path for path in folder.glob("*.parquet")}
    assert set(files) == views
    assert {path.stem for path in folder.glob("*.csv")} == views
    assert pl.read_parquet(files["indicator_matrix"]).height == matrix_rows
    compression = duckdb.sql(
        f"SELECT DISTINCT compression FROM parquet_metadata('{files['indicator_values']}')"
    ).fetchall()
    assert compression == [("ZSTD",)]
    # CSV: the same rows, Chinese intact, with the mark that tells spreadsheets it is UTF-8.
    for view in views:
        raw = (folder / f"{view}.csv").read_bytes()
        assert raw.startswith(codecs.BOM_UTF8)
        with (folder / f"{view}.csv").open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        parquet = pl.read_parquet(files[view])
        assert rows[0] == parquet.columns
        assert len(rows) - 1 == parquet.height
    values = pl.read_parquet(files["indicator_values"])
    with (folder / "indicator_values.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert {row["sentence"] for row in csv.DictReader(handle)} == set(values["sentence"])
    # One workbook, a sheet per mart holding its rows, and a first sheet saying what each is.
    book = openpyxl.load_workbook(folder / "fazhi_marts.xlsx", read_only=True)
    assert set(book.sheetnames) == views | {"说明 about"}
    for view in views:
        sheet = list(book[view].iter_rows(values_only=True))
        parquet = pl.read_parquet(files[view])
        assert list(sheet[0]) == parquet.columns
        assert len(sheet) - 1 == parquet.height
    sentences = {
        row[values.columns.index("sentence")]
        for row in book["indicator_values"].iter_rows(min_row=2, values_only=True)
    }
    assert sentences == set(values["sentence"])
    about = {row[0]: row[1] for row in book["说明 about"].iter_rows(min_row=2, values_only=True)}
    assert about["indicator_matrix"] == matrix_rows
    book.close()
    out = capsys.readouterr().out
    assert "fazhi_marts.xlsx" in out


def test_a_workbook_holds_what_excel_can() -> None:
    """A cell holds 32,767 characters and no control characters, a sheet 1,048,576 rows: the
    rest of a long mart goes on further sheets (the CSV and Parquet files keep everything)."""
    rows = pl.DataFrame({"text": ["行" * 40_000, "a\x0bb"], "n": [1, 2]})
    cells = for_excel(rows)
    assert cells["text"].str.len_chars().to_list() == [32_767, 2]
    assert cells["n"].to_list() == [1, 2]
    assert sheet_names("term_emphasis", 10) == ["term_emphasis"]
    assert sheet_names("term_emphasis", 0) == ["term_emphasis"]
    assert sheet_names("term_emphasis", 2 * 1_048_575 + 1) == [
        "term_emphasis",
        "term_emphasis (2)",
        "term_emphasis (3)",
    ]


BI_CLIENT = textwrap.dedent(
    """
    import sys
    import sqlalchemy
    url = f"duckdb:///{sys.argv[1]}"
    engine = sqlalchemy.create_engine(url, connect_args={"read_only": True})
    conn = engine.connect()
    for command in sys.stdin:
        if command.strip() == "reconnect":
            conn.close()
            engine.dispose()
            engine = sqlalchemy.create_engine(url, connect_args={"read_only": True})
            conn = engine.connect()
        rows = conn.execute(sqlalchemy.text(
            "SELECT count(*), count(admin_reconsideration_received) FROM marts.indicator_matrix"
        )).fetchone()
        print(rows[0], rows[1], flush=True)
    """
)


def test_a_bi_tool_on_sqlalchemy_reads_a_mart_while_a_run_publishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(SEED_002, sources)
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    assert run_build(sources, warehouse, monkeypatch).result.success
    client = subprocess.Popen(
        [sys.executable, "-c", BI_CLIENT, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )

    def ask(command: str) -> str:
        client.stdin.write(command + "\n")
        client.stdin.flush()
        return client.stdout.readline().strip()

    try:
        assert ask("query") == "1 1"
        (sources / "gxq_2021.txt").write_text(next_year_of_002(), encoding="utf-8")
        assert run_build(sources, warehouse, monkeypatch).result.success
        # The open connection keeps its snapshot; a new one sees the new report.
        assert ask("query") == "1 1"
        assert ask("reconnect") == "2 2"
    finally:
        client.stdin.close()
        client.wait(timeout=30)


# What BI drivers read without trouble: no HUGEINT, UBIGINT, DECIMAL, INTERVAL, LIST, STRUCT ...
PLAIN_SQL_TYPES = (
    sqlalchemy.String,
    sqlalchemy.Integer,
    sqlalchemy.Float,
    sqlalchemy.Boolean,
    sqlalchemy.Date,
    sqlalchemy.DateTime,
)


def test_every_public_table_and_view_reads_through_sqlalchemy(seeds_build: Build) -> None:
    """As Superset reads them: duckdb-engine's types for every column, and every value a plain
    Python number, text, truth value, date or time (what pandas.read_sql builds its frame from).

    pandas itself is not installed: DuckDB imports it, when present, on a process's first query
    with parameters (~0.5 s of every build)."""
    engine = sqlalchemy.create_engine(
        f"duckdb:///{seeds_build.warehouse}", connect_args={"read_only": True}
    )
    inspector = sqlalchemy.inspect(engine)
    read: dict[str, list[sqlalchemy.Row]] = {}
    odd = []
    with engine.connect() as conn:
        for schema in ("main", "marts"):
            names = inspector.get_table_names(schema) + inspector.get_view_names(schema)
            for name in names:
                for column in inspector.get_columns(name, schema):
                    kind = column["type"]
                    if not isinstance(kind, PLAIN_SQL_TYPES) or isinstance(kind, HugeInteger):
                        odd.append(f"{schema}.{name}.{column['name']}: {kind!r}")
                result = conn.execute(sqlalchemy.text(f'SELECT * FROM {schema}."{name}"'))
                read[f"{schema}.{name}"] = result.fetchall()
    engine.dispose()
    assert odd == []
    assert {"main.reports", "marts.term_emphasis", "marts.indicator_matrix"} <= set(read)
    assert read["main.reports"] and read["marts.term_emphasis"]
    assert all(
        type(row.n) is int and type(row.n_chars) is int for row in read["marts.term_emphasis"]
    )
    plain = (int, float, str, bool, datetime.date, datetime.datetime, type(None))
    kinds = {
        (name, type(value).__name__)
        for name, rows in read.items()
        for row in rows
        for value in row
        if not isinstance(value, plain)
    }
    # Numbers, text, true/false and dates: nothing left as Python objects of other kinds
    # (Decimal, lists, dicts, UUIDs).
    assert kinds == set()


def test_no_view_sorts_its_rows(seeds_build: Build) -> None:
    """A BI tool filters and sorts for itself: a view with ORDER BY would sort on every query."""
    with seeds_build.connect() as conn:
        views = [
            name
            for (name,) in conn.execute(
                "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'marts'"
            ).fetchall()
        ]
        plans = {
            name: conn.execute(f"EXPLAIN SELECT * FROM marts.{name}").fetchall()[0][1]
            for name in views
        }
    assert len(plans) >= 8
    assert [name for name, plan in plans.items() if "ORDER_BY" in plan] == []


def test_search_works_on_a_warehouse_attached_under_another_name(
    seeds_build: Build, tmp_path: Path
) -> None:
    """As notebooks and tools like Rill open it: ATTACH ... AS w, then w.marts.search_sentences."""
    copy = tmp_path / "fazhi-copy.duckdb"
    shutil.copy(seeds_build.warehouse, copy)
    with seeds_build.connect() as conn:
        direct = conn.execute("SELECT * FROM marts.search_sentences('行政复议 纠错')").fetchall()
    with duckdb.connect() as conn:
        conn.execute(f"ATTACH '{copy}' AS w (READ_ONLY)")
        attached = conn.execute(
            "SELECT * FROM w.marts.search_sentences('行政复议 纠错', database := 'w')"
        ).fetchall()
        conn.execute("USE w")
        used = conn.execute("SELECT * FROM marts.search_sentences('行政复议 纠错')").fetchall()
    # Opened directly under a name that needs quoting, it finds its own tables.
    with duckdb.connect(str(copy), read_only=True) as conn:
        renamed = conn.execute("SELECT * FROM marts.search_sentences('行政复议 纠错')").fetchall()
    assert direct
    assert attached == used == renamed == direct


def test_views_are_made_again_over_the_views_an_older_fazhi_made(tmp_path: Path) -> None:
    # A view that reads a column the new version of another view adds: created in name order,
    # it first meets the old view, and is made once the new one is there.
    versions = {
        "older": ("SELECT a FROM marts.b_source", "SELECT 1 AS a"),
        "newer": ("SELECT b FROM marts.b_source", "SELECT 1 AS a, 2 AS b"),
    }
    for version, (reader, source) in versions.items():
        folder = tmp_path / version
        folder.mkdir()
        for name, query in (("a_reader", reader), ("b_source", source)):
            (folder / f"{name}.sql").write_text(
                f"CREATE SCHEMA IF NOT EXISTS marts;\nCREATE OR REPLACE VIEW marts.{name} AS {query};\n",
                encoding="utf-8",
            )
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        for version in versions:
            assert sorted(create_views(conn, tmp_path / version)) == ["a_reader", "b_source"]
        assert conn.execute("SELECT * FROM marts.a_reader").fetchall() == [(2,)]


def test_views_are_made_only_when_sql_changed_or_they_are_missing(tmp_path: Path) -> None:
    folder = tmp_path / "sql"
    folder.mkdir()
    view = folder / "counted.sql"
    view.write_text(
        "CREATE SCHEMA IF NOT EXISTS marts;\nCREATE OR REPLACE VIEW marts.counted AS SELECT 1 AS n;\n",
        encoding="utf-8",
    )
    with duckdb.connect(str(tmp_path / "working.duckdb")) as conn:
        conn.execute(f"ATTACH '{tmp_path / 'work.duckdb'}' AS work")
        assert ensure_views(conn, folder)
        assert not ensure_views(conn, folder)
        # Another definition in sql/ is made, as is a view gone from the database.
        view.write_text(view.read_text(encoding="utf-8").replace("1 AS n", "2 AS n"))
        assert ensure_views(conn, folder)
        assert conn.execute("SELECT n FROM marts.counted").fetchall() == [(2,)]
        conn.execute("DROP VIEW marts.counted")
        assert ensure_views(conn, folder)
        assert not ensure_views(conn, folder)
        assert conn.execute("SELECT n FROM marts.counted").fetchall() == [(2,)]
