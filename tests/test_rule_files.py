"""The one loader of rule files (pipelines/shared/rule_files.py): how it reads a table and a word
list, and that no other code reads pipelines/rules on its own."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.settings import PROJECT_ROOT
from pipelines.shared.rule_files import read_rule_table, read_rule_words, read_rules

# Who may name the rules folder: the loader, the stage versions that hash the rule files, and
# the default list of sites to crawl, which a deployment may replace with a file of its own.
NAMES_THE_FOLDER = {
    "pipelines/shared/rule_files.py",
    "pipelines/warehouse/incremental.py",
    "pipelines/crawling/sources.py",
}


def test_a_tsv_holds_strings_and_an_empty_cell_is_no_condition(tmp_path: Path) -> None:
    path = tmp_path / "rules.tsv"
    path.write_text(
        '# a comment\npattern\tmax_chars\tafter\n"引号"\t120\t\n^\\d+$\t80\t^(制度)\n',
        encoding="utf-8",
    )
    table = read_rule_table(path)
    assert table.schema == {"pattern": pl.String, "max_chars": pl.String, "after": pl.String}
    assert table.rows() == [('"引号"', "120", ""), (r"^\d+$", "80", "^(制度)")]


def test_a_csv_holds_strings_and_an_empty_cell_is_unknown(tmp_path: Path) -> None:
    path = tmp_path / "aliases.csv"
    path.write_text(
        '# alias, region, parent\nalias,region,parent_region\n泰达,"天津经济技术开发区",\n',
        encoding="utf-8",
    )
    assert read_rule_table(path).rows() == [("泰达", "天津经济技术开发区", None)]


def test_the_project_rule_files_are_read_and_kept() -> None:
    boilerplate = read_rules("boilerplate.tsv")
    assert boilerplate.columns == ["pattern", "reason", "max_chars"]
    assert boilerplate.height > 0
    # Read once: every stage gets the same frame.
    assert read_rules("boilerplate.tsv") is boilerplate
    stop_words = read_rule_words("stopwords.txt")
    assert "我们" in stop_words
    assert not [word for word in stop_words if word.startswith("#") or word != word.strip()]


def test_no_other_code_reads_the_rule_files() -> None:
    naming = {
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "pipelines").rglob("*.py")
        if "RULES_DIR" in path.read_text(encoding="utf-8")
    }
    assert naming == NAMES_THE_FOLDER
