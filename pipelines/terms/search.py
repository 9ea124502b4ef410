"""Full-text search over the sentences of the warehouse, ranked by BM25 (marts.search_sentences).

The query is segmented exactly as the reports were, so 行政复议案件 looks up 行政复议; the
ranking itself is plain SQL in the warehouse, which any DuckDB client can run without an
extension or a network.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.reports.regions import canonical_region
from pipelines.shared.frames import query_frame
from pipelines.terms.counts import token_offsets
from pipelines.terms.segment import segment

SEARCH_SQL = """
SELECT * FROM marts.search_sentences($query)
WHERE ($region IS NULL OR region = $region OR parent_region = $region)
  AND ($year IS NULL OR report_year = $year)
ORDER BY score DESC, region, report_year, report_id, sentence_no
LIMIT $limit
"""


def query_terms(query: str) -> list[str]:
    """The terms of a query, cut and filtered as the reports' sentences were."""
    found = token_offsets(pl.DataFrame({"report_id": ["query"], "tokens": [segment(query)]}))
    return found["term"].unique(maintain_order=True).to_list()


def search(
    conn: duckdb.DuckDBPyConnection,
    query: str,
    region: str | None = None,
    year: int | None = None,
    limit: int = 10,
) -> pl.DataFrame:
    """The best sentences for the query, with region, year, section and where they stand in
    reports.text. region may be any spelling the alias table knows, or a parent region."""
    terms = query_terms(query)
    if region:
        region = canonical_region(region)[0] or region
    return query_frame(
        conn,
        SEARCH_SQL,
        {"query": " ".join(terms), "region": region, "year": year, "limit": limit},
    )
