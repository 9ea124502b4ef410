"""The facts stage over the working database: every quantity of the reports whose sentences
changed, mapped to its indicator, and each report's headline figure per indicator."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import polars as pl

from pipelines.facts.build import build_facts
from pipelines.facts.headlines import headline_facts
from pipelines.preview import markdown_preview
from pipelines.shared.frames import query_frame
from pipelines.warehouse.incremental import Refreshed, Step, refreshed_metadata, versioned
from pipelines.warehouse.stages import FACTS, STRUCTURE
from pipelines.warehouse.tables import rows_made_or_stored


def facts_step(conn: duckdb.DuckDBPyConnection, structure_keys: pl.DataFrame) -> Step:
    """The facts of every report, made again when its structure (keys as the structure step
    takes them) changes."""

    def extract(batch: pl.DataFrame, made: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
        sentences = rows_made_or_stored(conn, "sentences", batch, made, "report_id, sentence_no")
        facts = build_facts(sentences)
        return {"facts": facts, "headline_facts": headline_facts(facts, sentences)}

    return Step(FACTS, versioned(STRUCTURE, structure_keys), extract)


def facts_metadata(conn: duckdb.DuckDBPyConnection, refreshed: Refreshed) -> dict[str, object]:
    """The facts asset's metadata, once the step has run."""
    n_facts, with_indicator, targets = conn.execute(
        "SELECT count(*), count(indicator), count(*) FILTER (is_target) FROM facts"
    ).fetchone()
    preview = query_frame(
        conn,
        "SELECT report_id, surface, value, unit, indicator FROM facts "
        "WHERE indicator IS NOT NULL ORDER BY report_id, fact_no LIMIT 10",
    )
    return {
        "dagster/row_count": n_facts,
        "with_indicator": with_indicator,
        "targets": targets,
        "preview": markdown_preview(preview, rows=10),
        **refreshed_metadata(refreshed),
    }
