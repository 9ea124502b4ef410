"""The facts stage over the working database: every quantity of the reports whose sentences
changed, mapped to its indicator."""

from __future__ import annotations

import duckdb

from pipelines.facts.build import build_facts
from pipelines.preview import markdown_preview
from pipelines.warehouse.incremental import refresh, refreshed_metadata, stage_keys
from pipelines.warehouse.stages import FACTS, STRUCTURE
from pipelines.warehouse.tables import rows_of_reports


def refresh_facts(conn: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Extract what changed; returns the facts asset's metadata."""
    refreshed = refresh(
        conn,
        FACTS,
        stage_keys(conn, STRUCTURE),
        lambda batch: {
            "facts": build_facts(
                rows_of_reports(conn, "sentences", batch, "report_id, sentence_no")
            )
        },
    )
    n_facts, with_indicator, targets = conn.execute(
        "SELECT count(*), count(indicator), count(*) FILTER (is_target) FROM facts"
    ).fetchone()
    preview = conn.execute(
        "SELECT report_id, surface, value, unit, indicator FROM facts "
        "WHERE indicator IS NOT NULL ORDER BY report_id, fact_no LIMIT 10"
    ).pl()
    return {
        "dagster/row_count": n_facts,
        "with_indicator": with_indicator,
        "targets": targets,
        "preview": markdown_preview(preview, rows=10),
        **refreshed_metadata(refreshed),
    }
