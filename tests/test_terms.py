"""Terms and search: segmentation with the domain dictionary, term counts, keywords, BM25 search,
and the cache that segments each content once."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.cli import main
from pipelines.settings import SQL_DIR
from pipelines.shared.frames import query_frame
from pipelines.terms.counts import report_terms, sentence_terms, token_offsets
from pipelines.terms.dictionary import KEYWORD_TAGS, PLACE_TAG, term_classes
from pipelines.terms.segment import reference_segmenter, segment, segment_texts, segmenter
from pipelines.terms.segment_cache import (
    cut_ahead,
    ensure_cache,
    segmented_reports,
    start_segmenting,
)
from pipelines.warehouse.tables import table_ddl
from tests.conftest import SEEDS, Build, run_build

# A reader's word for what each seed is about, which its top ten keywords must contain.
CHARACTERISTIC = {
    "000_39ca0c9c455ce9cc.txt": "法律顾问",
    "001_d9e95e2a48e67257.txt": "述法",
    "002_0d1779802d6e58b2.txt": "疫情防控",
    "003_38f8238b59c0effd.txt": "保密",
    "004_67f9df3a2b388bff.txt": "突发事件",
}


def seed_texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]


def test_rjieba_gives_jieba_tokens_with_the_project_dictionary() -> None:
    reference = reference_segmenter()
    for text in seed_texts():
        tokens = segment(text)
        assert tokens == reference.lcut(text, HMM=False)
        assert "".join(tokens) == text


def test_parts_of_speech_looked_up_are_the_segmenters_own() -> None:
    # Terms are cut without tags and classed by a join against the dictionary: the classes must
    # be those rjieba's own tags give, for every word of the seeds.
    tagged = pl.DataFrame(
        [pair for text in seed_texts() for pair in segmenter().tag(text, False)],
        schema={"term": pl.String, "tag": pl.String},
        orient="row",
    ).unique()
    looked_up = tagged.join(term_classes(), on="term", how="left").with_columns(
        pl.col("keyword_tag", "place_tag").fill_null(False)
    )
    assert looked_up.height > 1000
    assert looked_up["keyword_tag"].to_list() == looked_up["tag"].is_in(KEYWORD_TAGS).to_list()
    assert looked_up["place_tag"].to_list() == (looked_up["tag"] == PLACE_TAG).to_list()


def test_texts_cut_together_get_the_tokens_each_gets_alone() -> None:
    texts = [*seed_texts(), "含有\x00分隔符的文本，单独切分。", ""]
    assert segment_texts(texts).to_list() == [segment(text) for text in texts]


def test_a_text_two_batches_share_is_cut_once_when_both_are_begun_before_either_is_taken(
    tmp_path: Path,
) -> None:
    # The terms stage starts cutting the next batch before it takes this one: a text both
    # hold is cut for the first, stored when that is taken, and found there by the second.
    text, other = seed_texts()[:2]
    with duckdb.connect(str(tmp_path / "fazhi.duckdb")) as conn:
        conn.execute(f"ATTACH '{tmp_path / 'work.duckdb'}' AS work")
        begun: set[str] = set()
        first = start_segmenting(
            conn, pl.DataFrame({"report_id": ["a"], "text": [text], "text_key": ["k1"]}), begun
        )
        second = start_segmenting(
            conn,
            pl.DataFrame(
                {"report_id": ["b", "c"], "text": [text, other], "text_key": ["k1", "k2"]}
            ),
            begun,
        )
        taken = [segmented_reports(conn, first), segmented_reports(conn, second)]
        assert begun == {"k1", "k2"}
        assert [batch.texts_cut for batch in taken] == [1, 1]
        tokens = pl.concat([batch.tokens for batch in taken]).sort("report_id")
        assert tokens["tokens"].to_list() == [segment(text), segment(text), segment(other)]
        assert conn.execute(
            "SELECT text_key, count(*) FROM work.segmentations GROUP BY ALL ORDER BY ALL"
        ).fetchall() == [("k1", 1), ("k2", 1)]


def test_texts_cut_ahead_are_found_in_the_cache_and_not_cut_again(tmp_path: Path) -> None:
    # The reports' chain hands its texts to the segmenter as it makes them; the terms' chain,
    # which looks in the cache after them, cuts only the texts that were not handed on.
    text, other = seed_texts()[:2]
    with duckdb.connect(str(tmp_path / "fazhi.duckdb")) as conn:
        conn.execute(f"ATTACH '{tmp_path / 'work.duckdb'}' AS work")
        ensure_cache(conn)
        ahead = cut_ahead(conn, pl.DataFrame({"text": [text], "text_key": ["k1"]}))
        later = start_segmenting(
            conn,
            pl.DataFrame(
                {"report_id": ["a", "b"], "text": [text, other], "text_key": ["k1", "k2"]}
            ),
            set(),
        )
        ahead.result()
        taken = segmented_reports(conn, later)
        assert taken.texts_cut == 1
        assert taken.tokens.sort("report_id")["tokens"].to_list() == [segment(text), segment(other)]
        assert conn.execute(
            "SELECT text_key, count(*) FROM work.segmentations GROUP BY ALL ORDER BY ALL"
        ).fetchall() == [("k1", 1), ("k2", 1)]


def test_each_report_counts_its_own_terms_in_its_own_sentences() -> None:
    """Term counts per report and per sentence, written out by hand for three reports given out
    of order: one with two sentences, one whose sentences are not given (its tokens are counted
    for the report, but placed in no sentence, not even in the sentence before them, the last
    of the report before), and one with a sentence and no token."""
    segmented = pl.DataFrame(
        {
            "report_id": ["r2", "r1", "r3"],
            "tokens": [
                ["依法行政", "，", "法治政府"],
                ["行政复议", "案件", "。", "行政复议", "决定"],
                [],
            ],
        }
    )
    sentences = pl.DataFrame(
        {
            "report_id": ["r1", "r1", "r3"],
            "sentence_no": [0, 1, 0],
            "char_start": [0, 7, 0],
            "char_end": [7, 13, 0],
        }
    )
    tokens = token_offsets(segmented)
    per_report = report_terms(tokens).select("report_id", "term", "n").sort(pl.all())
    assert per_report.rows() == [
        ("r1", "决定", 1),
        ("r1", "案件", 1),
        ("r1", "行政复议", 2),
        ("r2", "依法行政", 1),
        ("r2", "法治政府", 1),
    ]
    per_sentence = sentence_terms(tokens, sentences).sort("report_id", "sentence_no", "term")
    assert per_sentence.rows() == [
        ("r1", 0, "案件", 1, 2),
        ("r1", 0, "行政复议", 1, 2),
        ("r1", 1, "决定", 1, 2),
        ("r1", 1, "行政复议", 1, 2),
    ]


def test_domain_terms_are_single_terms(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        counts = dict(
            conn.execute(
                "SELECT term, sum(n) FROM terms WHERE term IN ('行政复议', '公职律师', '合法性审核') "
                "GROUP BY term"
            ).fetchall()
        )
        split = conn.execute("SELECT count(*) FROM terms WHERE term IN ('公职', '复议')").fetchone()
    assert set(counts) == {"行政复议", "公职律师", "合法性审核"}
    assert all(n > 0 for n in counts.values())
    assert split == (0,)
    tokens = segment("充分发挥公职律师和法律顾问在合法性审核工作中的作用，办理行政复议案件")
    assert {"公职律师", "法律顾问", "合法性审核", "行政复议"} <= set(tokens)


def test_terms_inside_a_longer_dictionary_term_are_counted(seeds_build: Build) -> None:
    # 行政规范性文件 is a term of its own and counts for 规范性文件 too.
    with seeds_build.connect() as conn:
        long, short = conn.execute(
            "SELECT sum(n) FILTER (term = '行政规范性文件'), sum(n) FILTER (term = '规范性文件') "
            "FROM terms"
        ).fetchone()
    assert long > 0
    assert short >= long


def test_keywords_say_what_each_report_is_about(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        top = (
            query_frame(
                conn,
                "SELECT r.source_name, k.rank, k.term FROM keywords k JOIN reports r USING (report_id) "
                "WHERE k.rank <= 10",
            )
            .group_by("source_name")
            .agg(pl.col("term").sort_by("rank"))
        )
    terms = dict(top.iter_rows())
    for seed, word in CHARACTERISTIC.items():
        assert word in terms[seed], (seed, terms[seed])
    # Place names and stop words are never keywords.
    every = {term for listed in terms.values() for term in listed}
    assert not every & {"东疆", "泰达", "滨海新区", "工作", "推进"}


def test_keywords_rank_by_tfidf_and_ties_by_term() -> None:
    """Each report keeps its 20 top candidate terms by TF-IDF, ranked from 1; a tie goes to the
    term with more occurrences, then to the one that sorts first. A term that may not be a
    keyword still counts in its report's total."""
    conn = duckdb.connect()
    conn.execute(table_ddl("terms"))
    conn.execute(table_ddl("vocabulary"))
    fillers = [f"f{number:02d}" for number in range(20)]
    rows = [
        ("a", "复议", 2, True),
        ("a", "诉讼", 2, True),
        ("a", "调解", 5, True),
        ("a", "工作", 9, False),
        ("b", "调解", 1, True),
        ("b", "执法", 3, True),
        *[(report, term, 1, True) for report in "ab" for term in fillers],
    ]
    conn.executemany("INSERT INTO terms VALUES (?, ?, ?, ?)", rows)
    conn.execute("INSERT INTO vocabulary SELECT term, count(*), 0, sum(n) FROM terms GROUP BY term")
    conn.execute((SQL_DIR / "keywords.sql").read_text(encoding="utf-8"))
    keywords = query_frame(conn, "SELECT * FROM keywords ORDER BY report_id, rank")
    a, b = keywords.partition_by("report_id")
    assert a["rank"].to_list() == b["rank"].to_list() == list(range(1, 21))
    # a (38 terms in all, 工作's 9 with them): 复议 and 诉讼 (2 of 38, in a alone) score
    # 2/38 * ln(1 + 1.5 / 1.5) = 0.0365 each, the tie going to 复议 (U+590D sorts before
    # U+8BC9); 调解 (5 of 38, in both) 5/38 * ln(1 + 0.5 / 2.5) = 0.0240; then the fillers, in
    # their order, until 20 are kept. 工作 scores highest but is no candidate.
    assert a["term"].to_list() == ["复议", "诉讼", "调解", *fillers[:17]]
    assert a["df"].to_list()[:3] == [1, 1, 2]
    assert a["tfidf"][0] == pytest.approx(2 / 38 * math.log(2))
    # b: 执法, then 调解 and the fillers all at 1/24 * ln(1.2): a tie of n too, which the
    # fillers win by sorting before 调解, which is left out.
    assert b["term"].to_list() == ["执法", *fillers[:19]]
    assert b["tfidf"][1] == pytest.approx(1 / 24 * math.log(1.2))
    # Asked for one report, the view gives that report's keywords alone.
    one = conn.execute("SELECT count(*) FROM keywords WHERE report_id = 'b'").fetchone()
    assert one == (20,)


def test_term_emphasis_is_per_ten_thousand_characters(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        rows = conn.execute(
            "SELECT e.n, e.per_10k_chars, r.n_chars FROM marts.term_emphasis e "
            "JOIN reports r ON r.region = e.region AND r.report_year = e.report_year "
            "WHERE e.term = '营商环境'"
        ).fetchall()
    assert rows
    for n, per_10k, n_chars in rows:
        assert per_10k == pytest.approx(n * 10000 / n_chars, abs=0.001)


def test_search_ranks_reconsideration_sentences_first_from_several_regions(
    seeds_build: Build, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAZHI_WAREHOUSE", str(seeds_build.warehouse))
    assert main(["search", "行政复议", "--limit", "8"]) == 0
    printed = capsys.readouterr().out
    hits = [
        line for line in printed.splitlines() if line.startswith("    ") and "report_id" not in line
    ]
    assert len(hits) == 8
    assert all("【行政复议】" in hit for hit in hits)
    with seeds_build.connect() as conn:
        regions = conn.execute(
            "SELECT count(DISTINCT region) FROM (SELECT region FROM marts.search_sentences('行政复议') LIMIT 8)"
        ).fetchone()
    assert regions[0] >= 3


def test_search_from_sql_finds_terms_inside_an_unsegmented_query(seeds_build: Build) -> None:
    with seeds_build.connect() as conn:
        hits = conn.execute(
            "SELECT sentence, matched_terms, report_id, char_start, char_end "
            "FROM marts.search_sentences('行政复议案件') LIMIT 5"
        ).fetchall()
        for sentence, matched, report_id, start, end in hits:
            assert "行政复议" in matched.split(" ")
            text = conn.execute(
                "SELECT substr(text, ? + 1, ? - ?) FROM reports WHERE report_id = ?",
                [start, end, start, report_id],
            ).fetchone()[0]
            assert text == sentence


def test_search_filters_by_region_alias_and_year(
    seeds_build: Build, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAZHI_WAREHOUSE", str(seeds_build.warehouse))
    assert main(["search", "行政复议", "--region", "泰达", "--year", "2020"]) == 0
    headers = [
        line for line in capsys.readouterr().out.splitlines() if line[:3].strip().endswith(".")
    ]
    assert headers
    assert all("天津经济技术开发区 2020" in line for line in headers)


def segmentation_counts(build: Build) -> tuple[int, int]:
    for materialization in build.result.asset_materializations_for_node("report_tables"):
        if materialization.asset_key.path == ["terms"]:
            metadata = materialization.metadata
            return metadata["texts_segmented"].value, metadata["reports_from_cache"].value
    raise AssertionError("no materialization of terms")


def test_a_rerun_with_one_new_report_segments_that_report_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(SEEDS, sources)
    warehouse = tmp_path / "warehouse" / "fazhi.duckdb"
    first = run_build(sources, warehouse, monkeypatch)
    assert segmentation_counts(first) == (5, 0)
    new = SEEDS.joinpath("002_0d1779802d6e58b2.txt").read_text(encoding="utf-8")
    (sources / "new.txt").write_text(new.replace("2020年", "2021年"), encoding="utf-8")
    second = run_build(sources, warehouse, monkeypatch)
    assert second.result.success
    assert segmentation_counts(second) == (1, 5)
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute("SELECT count(DISTINCT report_id) FROM terms").fetchone() == (6,)
