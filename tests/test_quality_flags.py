"""Nothing one report says, and nothing wrong with one input, stops the others: content checks
flag (quality_flags), broken invariants withhold the reports concerned (withheld_reports), and
an unreadable or vanished file is rejected like any other bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.facts.build import build_facts
from pipelines.landing.listing import list_corpus
from pipelines.landing.sources import land_corpus
from pipelines.landing.store import ContentStore
from pipelines.quality.flags import content_flags
from pipelines.settings import PROJECT_ROOT, Settings
from pipelines.structure.sentences import split_sentences
from pipelines.summary import cross_district_summary
from pipelines.warehouse.tables import insert_rows, public_tables, table_ddl
from tests.conftest import SEEDS, run_build

# A short district report of our own: a growth rate of 300% (and other changes above 100%),
# which is normal, and a closing rate above 100% (cases carried over from the year before),
# which is worth a flag and no more.
DISTRICT_REPORT = """中新天津生态城管理委员会2023年法治政府建设情况报告

2023年，生态城管委会坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实党中央、国务院关于法治政府建设的决策部署，扎实推进依法行政，现将有关情况报告如下。

一、主要举措和成效
（一）推进政务公开。全年受理政府信息公开申请156件，同比增长300%，依申请公开办件量同比增长约三倍，网上申请量较上年提高150%，均在法定期限内予以答复。
（二）规范行政执法。开展行政检查1260次，办理行政处罚案件83件，行政执法案卷评查合格率达到100%。
（三）化解行政争议。全年受理行政复议案件24件，办结行政复议案件26件（含上年结转3件），结案率108.3%。行政机关负责人出庭应诉率100%。
（四）加强法治宣传。组织领导干部学法用法培训12场，参训人员1500余人次。

二、党政主要负责人履行推进法治建设第一责任人职责情况
管委会主要负责同志专题研究法治政府建设工作4次，带头讲法治课2次。

三、存在的不足
行政执法人员专业化水平有待提高，部分领域执法规范化程度仍需加强。

四、2024年工作安排
一是持续深化政务公开；二是全面推行行政执法“三项制度”；三是加强行政复议规范化建设。

中新天津生态城管理委员会
2024年2月28日
"""


def unprivileged(command: list[str]) -> list[str]:
    """The command as a user for whom chmod 000 means unreadable: as root (the tests and CI run
    as root), without the capabilities that let root read any file."""
    if os.geteuid() != 0:
        return command
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]


def make_unreadable(path: Path) -> None:
    path.chmod(0o000)
    # The subprocess really cannot read it, root or not.
    assert subprocess.run(unprivileged(["cat", str(path)]), capture_output=True).returncode != 0


def build_env(sources: Path, warehouse: Path, dagster: Path) -> dict[str, str]:
    return {
        **os.environ,
        "FAZHI_SOURCES": str(sources),
        "FAZHI_WAREHOUSE": str(warehouse),
        "FAZHI_DAGSTER_STORAGE": str(dagster),
    }


def test_seeds_a_growth_rate_an_unreadable_and_an_empty_file_publish_every_good_report(
    tmp_path: Path,
) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(SEEDS, sources)
    (sources / "district_2023.txt").write_text(DISTRICT_REPORT, encoding="utf-8")
    (sources / "bad").mkdir()
    (sources / "bad" / "empty.txt").write_bytes(b"")
    locked = sources / "bad" / "locked.txt"
    shutil.copy(SEEDS / "002_0d1779802d6e58b2.txt", locked)
    make_unreadable(locked)
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"

    build = subprocess.run(
        unprivileged([sys.executable, "-m", "pipelines.cli", "build"]),
        env=build_env(sources, warehouse, tmp_path / "dagster"),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )

    assert build.returncode == 0, build.stderr
    assert "Traceback" not in build.stderr
    # One clear line about the unreadable file, naming it and the reason.
    about_locked = [line for line in build.stderr.splitlines() if "bad/locked.txt" in line]
    assert len(about_locked) == 1
    assert about_locked[0].endswith("rejected bad/locked.txt: cannot read: permission denied")
    out = build.stdout
    assert "fazhi warehouse: 6 reports from 5 regions" in out
    assert "rejected inputs: 2" in out
    assert "  bad/empty.txt: empty file" in out
    assert "  bad/locked.txt: cannot read: permission denied" in out
    assert "quality flags: 1 report flagged, published all the same" in out
    assert "  rates_within_0_100 (error): 1 report: district_2023.txt" in out
    assert "withheld reports: 0" in out
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        reports = {name for (name,) in conn.execute("SELECT source_name FROM reports").fetchall()}
        rejected = conn.execute(
            "SELECT source_name, stage, reason, sha256 FROM rejected_sources ORDER BY ALL"
        ).fetchall()
        rate_flags = conn.execute(
            "SELECT source_name, severity, detail FROM quality_flags "
            "WHERE \"check\" = 'rates_within_0_100'"
        ).fetchall()
        changes = conn.execute(
            "SELECT surface FROM facts JOIN reports USING (report_id) "
            "WHERE source_name = 'district_2023.txt' AND unit = '%' AND value > 100 ORDER BY ALL"
        ).fetchall()
    assert reports == {seed.name for seed in SEEDS.glob("*.txt")} | {"district_2023.txt"}
    assert rejected[0][:3] == ("bad/empty.txt", "read", "empty file")
    assert rejected[1] == ("bad/locked.txt", "landing", "cannot read: permission denied", None)
    # The changes of 300% and 150% are extracted, published and not flagged; the share is.
    assert changes == [("108.3%",), ("150%",), ("300%",)]
    assert len(rate_flags) == 1
    name, severity, detail = rate_flags[0]
    assert (name, severity) == ("district_2023.txt", "error")
    assert "108.3%" in detail and "结案率" in detail


def report_with_sentences(conn: duckdb.DuckDBPyConnection, text: str) -> None:
    """One report with this text, split and measured by the pipeline's own functions."""
    for table in ("reports", "sentences", "facts", "boilerplate"):
        conn.execute(table_ddl(table))
    conn.execute(
        "INSERT INTO reports (report_id, source_name, source_format, sha256, report_year, text, "
        "n_chars, region, org_name) VALUES ('r1', 'r1.txt', 'txt', 'x', 2023, ?, ?, '生态城', "
        "'生态城管委会')",
        [text, len(text)],
    )
    sentences = split_sentences(pl.DataFrame({"report_id": ["r1"], "text": [text]})).with_columns(
        section_no=pl.lit(None, pl.Int32), part=pl.lit("measures")
    )
    insert_rows(conn, "sentences", sentences)
    insert_rows(conn, "facts", build_facts(sentences))


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("全年受理政府信息公开申请156件，同比增长300%。", False),
        ("网上申请量较上年提高150%。", False),
        ("行政许可办件量比2022年增加了210%。", False),
        ("行政处罚案件数量下降了120%。", False),
        ("行政复议结案率108.3%。", True),
        ("受理量同比增长20%，办结率达到105%。", True),
        # The level reached, not a change.
        ("案卷评查合格率提高至105%。", True),
        ("考试合格率为100%。", False),
    ],
)
def test_a_change_above_100_percent_is_not_flagged_a_share_is(sentence: str, flagged: bool) -> None:
    with duckdb.connect() as conn:
        report_with_sentences(conn, "生态城2023年法治政府建设情况报告\n" + sentence)
        assert conn.execute("SELECT count(*) FROM facts WHERE unit = '%'").fetchone()[0] >= 1
        flags = content_flags(conn).filter(pl.col("check") == "rates_within_0_100")
    assert flags.height == int(flagged)


def test_two_reports_of_one_region_year_and_org_are_counted_as_two(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    (sources / "a").mkdir(parents=True)
    (sources / "b").mkdir()
    seed = (SEEDS / "003_38f8238b59c0effd.txt").read_text(encoding="utf-8")
    assert "两次法律专家讲座" in seed
    (sources / "a" / "office_2020.txt").write_text(seed, encoding="utf-8")
    (sources / "b" / "office_2020_v2.txt").write_text(
        seed.replace("两次法律专家讲座", "两次法律专家讲座，参训干部120人次"), encoding="utf-8"
    )
    shutil.copy(SEEDS / "002_0d1779802d6e58b2.txt", sources)
    build = run_build(sources, tmp_path / "warehouse" / "fazhi.duckdb", monkeypatch)
    assert build.result.success
    with build.connect() as conn:
        summary = cross_district_summary(conn)
        figures = dict(
            conn.execute(
                "SELECT source_name, count(f.fact_no) FROM reports "
                "LEFT JOIN facts f USING (report_id) GROUP BY ALL"
            ).fetchall()
        )
        duplicates = conn.execute(
            "SELECT source_name, detail FROM quality_flags "
            "WHERE \"check\" = 'one_report_per_region_and_year' ORDER BY source_name"
        ).fetchall()
    assert "fazhi warehouse: 3 reports from 2 regions" in summary
    rows = [line.split() for line in summary.splitlines() if "天津滨海新区政府办公室" in line]
    # region, parent, year, issued by, chars, figures, indicators, (复议受理), source
    assert sorted((row[-1], int(row[5])) for row in rows) == [
        ("a/office_2020.txt", figures["a/office_2020.txt"]),
        ("b/office_2020_v2.txt", figures["b/office_2020_v2.txt"]),
    ]
    assert figures["b/office_2020_v2.txt"] == figures["a/office_2020.txt"] + 1
    assert [name for name, _ in duplicates] == ["a/office_2020.txt", "b/office_2020_v2.txt"]
    assert duplicates[0][1].endswith("as b/office_2020_v2.txt")
    assert "  one_report_per_region_and_year (warning): 2 reports: a/office_2020.txt, " in summary


def rows_of_report(warehouse: Path, report_id: str) -> dict[str, int]:
    """How many rows of the report each public table holds."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT table_name FROM duckdb_columns() WHERE column_name = 'report_id'"
            ).fetchall()
            if name in public_tables()
        ]
        return {
            name: conn.execute(
                f"SELECT count(*) FROM {name} WHERE report_id = ?", [report_id]
            ).fetchone()[0]
            for name in tables
        }


def test_a_report_whose_stored_object_is_damaged_is_withheld_and_the_others_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    for name in ("002_0d1779802d6e58b2.txt", "003_38f8238b59c0effd.txt"):
        shutil.copy(SEEDS / name, sources)
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    assert run_build(sources, warehouse, monkeypatch).result.success
    store = ContentStore(warehouse.parent / "store")
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        report_id, sha256 = conn.execute(
            "SELECT report_id, sha256 FROM reports WHERE source_name LIKE '002%'"
        ).fetchone()
    stored = store.object_path(sha256)
    stored.chmod(0o644)
    stored.write_bytes(stored.read_bytes()[:-3])

    damaged = run_build(sources, warehouse, monkeypatch)

    assert damaged.result.success
    failed = [e for e in damaged.result.get_asset_check_evaluations() if not e.passed]
    assert [e.check_name for e in failed] == ["stored_bytes_intact"]
    assert failed[0].metadata["missing_or_changed"].value == [sha256]
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        published = conn.execute("SELECT source_name FROM reports").fetchall()
        withheld = conn.execute(
            'SELECT report_id, source_name, "check", reason FROM withheld_reports'
        ).fetchall()
        summary = cross_district_summary(conn)
    assert published == [("003_38f8238b59c0effd.txt",)]
    ((withheld_id, name, check, reason),) = withheld
    assert (withheld_id, name, check) == (
        report_id,
        "002_0d1779802d6e58b2.txt",
        "stored_bytes_intact",
    )
    # The message names the object, the names that brought it and the fix.
    assert f"stored object {sha256} (from 002_0d1779802d6e58b2.txt)" in reason
    assert str(stored) in reason and "`fazhi verify` rehashes the whole store" in reason
    assert "withheld reports: 1" in summary
    assert f"  002_0d1779802d6e58b2.txt (stored_bytes_intact): stored object {sha256}" in summary
    # None of its rows is published but the list of inputs; the working database keeps them.
    rows = rows_of_report(warehouse, report_id)
    assert {name: n for name, n in rows.items() if n} == {"source_files": 1, "withheld_reports": 1}
    assert rows.keys() >= {"reports", "sentences", "facts", "terms", "boilerplate"}
    settings = Settings(sources=sources, warehouse=warehouse)
    with duckdb.connect(str(settings.staging), read_only=True) as conn:
        assert conn.execute(
            "SELECT count(*) FROM reports WHERE report_id = ?", [report_id]
        ).fetchone() == (1,)
        bodies = dict(conn.execute("SELECT source_name, org_name FROM reports").fetchall())
    # The page shows what is published: the report withheld is not on it.
    page = settings.report_page.read_text(encoding="utf-8")
    assert bodies["003_38f8238b59c0effd.txt"] in page
    assert bodies["002_0d1779802d6e58b2.txt"] not in page

    # The fix the message gives: the damaged object goes, the next build lands the file again.
    stored.unlink()
    fixed = run_build(sources, warehouse, monkeypatch)
    assert fixed.result.success
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM reports").fetchone() == (2,)
        assert conn.execute("SELECT count(*) FROM withheld_reports").fetchone() == (0,)
    assert store.intact(sha256)
    assert bodies["002_0d1779802d6e58b2.txt"] in settings.report_page.read_text(encoding="utf-8")


def test_a_file_that_vanishes_between_listing_and_reading_is_rejected(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes("法治政府建设报告".encode())
    (corpus / "gone.txt").write_bytes("依法行政工作报告".encode())
    listing = list_corpus(corpus)
    (corpus / "gone.txt").unlink()

    files, rejected = land_corpus(corpus, ContentStore(tmp_path / "store"), listing)

    assert files["source_name"].to_list() == ["a.txt"]
    assert rejected.rows() == [
        (
            "gone.txt",
            None,
            "landing",
            "cannot read: it vanished while it was being landed (moved or deleted)",
        )
    ]


LAND = """
import sys
from pathlib import Path
from pipelines.landing.sources import land_corpus
from pipelines.landing.store import ContentStore
files, rejected = land_corpus(Path(sys.argv[1]), ContentStore(Path(sys.argv[2])))
print(files["source_name"].to_list())
print(rejected.write_json())
"""


def test_an_unreadable_file_or_folder_is_rejected_and_the_rest_landed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "locked_folder").mkdir(parents=True)
    (corpus / "a.txt").write_bytes("法治政府建设报告".encode())
    (corpus / "locked.txt").write_bytes("依法行政工作报告".encode())
    (corpus / "locked_folder" / "b.txt").write_bytes("法治建设报告".encode())
    make_unreadable(corpus / "locked.txt")
    (corpus / "locked_folder").chmod(0o000)

    landing = subprocess.run(
        unprivileged([sys.executable, "-c", LAND, str(corpus), str(tmp_path / "store")]),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    (corpus / "locked_folder").chmod(0o755)

    assert landing.returncode == 0, landing.stderr
    landed, rejected = landing.stdout.splitlines()
    assert landed == "['a.txt']"
    assert [(r["source_name"], r["stage"], r["reason"]) for r in json.loads(rejected)] == [
        ("locked_folder/", "landing", "cannot read folder: permission denied"),
        ("locked.txt", "landing", "cannot read: permission denied"),
    ]
