"""A real Dagster run of the whole graph over the seeds, asserting on real values."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Build

EXPECTED = {
    "000_39ca0c9c455ce9cc.txt": (
        "天津经济技术开发区管理委员会",
        "天津经济技术开发区",
        "滨海新区",
        2020,
        "天津经济技术开发区管理委员会2020年法治政府建设情况报告",
        False,
    ),
    "001_d9e95e2a48e67257.txt": (
        "滨海新区人民政府",
        "滨海新区",
        "天津市",
        2024,
        "滨海新区人民政府2024年法治政府建设情况的报告",
        True,
    ),
    "002_0d1779802d6e58b2.txt": (
        "天津滨海高新区",
        "天津滨海高新区",
        "滨海新区",
        2020,
        "天津滨海高新区2020年法治政府建设报告",
        True,
    ),
    "003_38f8238b59c0effd.txt": (
        "天津滨海新区政府办公室",
        "滨海新区",
        "天津市",
        2020,
        "天津滨海新区政府办公室关于2020年法治政府建设情况的报告",
        True,
    ),
    "004_67f9df3a2b388bff.txt": (
        "东疆综合保税区",
        "东疆综合保税区",
        "滨海新区",
        2023,
        "东疆综合保税区2023年法治政府建设工作报告",
        True,
    ),
}


def test_run_succeeds_with_every_check_passing(seeds_build: Build) -> None:
    assert seeds_build.result.success
    evaluations = seeds_build.result.get_asset_check_evaluations()
    assert len(evaluations) >= 6
    assert [e.check_name for e in evaluations if not e.passed] == []


def test_reports_hold_the_five_seeds_with_their_metadata(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        rows = conn.execute(
            "SELECT source_name, org_name, region, parent_region, report_year, title, title_printed "
            "FROM reports ORDER BY source_name"
        ).fetchall()
    assert {row[0]: row[1:] for row in rows} == EXPECTED


def test_org_kind_tells_a_department_from_a_government(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        kinds = dict(conn.execute("SELECT source_name, org_kind FROM reports").fetchall())
    assert kinds["003_38f8238b59c0effd.txt"] == "department"
    assert kinds["001_d9e95e2a48e67257.txt"] == "government"


def test_text_is_the_decoded_file_and_n_chars_its_length(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        text, n_chars = conn.execute(
            "SELECT text, n_chars FROM reports WHERE source_name LIKE '003%'"
        ).fetchone()
    assert text.startswith("天津滨海新区政府办公室关于2020年")
    assert n_chars == len(text)
    assert "两次法律专家讲座" in text


def test_published_date_is_read_from_page_metadata(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        (published,) = conn.execute(
            "SELECT published_date FROM reports WHERE source_name LIKE '002%'"
        ).fetchone()
    assert str(published) == "2021-03-30"


def test_unreadable_inputs_are_rejected_with_reasons_and_kept(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        rejected = dict(conn.execute("SELECT source_name, reason FROM rejected_sources").fetchall())
        stored = conn.execute("SELECT stored_path FROM rejected_sources").fetchall()
    assert rejected == {
        "bad/empty.txt": "empty file",
        # The bytes say what it is, whatever the name.
        "bad/image.txt": "PNG image: not a report format; a scanned report is read by OCR when "
        "it comes as a PDF",
    }
    assert all(Path(path).exists() for (path,) in stored)


def test_same_bytes_under_two_names_are_one_report(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        (n_reports,) = conn.execute("SELECT count(*) FROM reports").fetchone()
        names = conn.execute(
            "SELECT source_name FROM source_files WHERE report_id = "
            "(SELECT report_id FROM reports WHERE source_name LIKE '001%') ORDER BY source_name"
        ).fetchall()
    assert n_reports == 5
    assert names == [("001_d9e95e2a48e67257.txt",), ("bad/copy_of_001.txt",)]


def test_every_public_table_view_and_column_is_documented(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        undocumented_tables = conn.execute(
            "SELECT table_name FROM duckdb_tables() WHERE comment IS NULL "
            "UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal AND comment IS NULL"
        ).fetchall()
        undocumented_columns = conn.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE NOT internal AND comment IS NULL"
        ).fetchall()
        (n_views,) = conn.execute(
            "SELECT count(*) FROM duckdb_views() WHERE NOT internal"
        ).fetchone()
    assert undocumented_tables == []
    assert undocumented_columns == []
    assert n_views >= 1


def test_the_warehouse_holds_no_working_tables(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        schemas = {
            row[0] for row in conn.execute("SELECT schema_name FROM duckdb_tables()").fetchall()
        }
    assert schemas == {"main"}
