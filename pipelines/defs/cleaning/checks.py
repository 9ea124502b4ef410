import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.queries import query_rows
from pipelines.reading.normalize import WHITE_SPACE


@dg.asset_check(
    pool="warehouse",
    asset="boilerplate",
    blocking=True,
    description=(
        "Nothing lost: every character of each document (white space aside) is in its clean "
        "text or in the boilerplate table."
    ),
)
def every_character_accounted_for(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    # Each document's and clean text's visible characters were counted as they were made;
    # the dropped lines are counted here, from the table users audit.
    lost = query_rows(
        duckdb,
        """
        WITH dropped AS (
            SELECT report_id, sum(length(regexp_replace(line, $white_space, '', 'g'))) AS n
            FROM boilerplate GROUP BY report_id
        )
        SELECT d.report_id, d.visible_chars - c.visible_chars - coalesce(x.n, 0) AS missing
        FROM work.documents d
        JOIN work.clean_texts c USING (report_id)
        LEFT JOIN dropped x USING (report_id)
        WHERE missing <> 0
        """,
        {"white_space": WHITE_SPACE},
    )
    return dg.AssetCheckResult(
        passed=not lost, metadata={"unaccounted": [f"{r}: {n} chars" for r, n in lost]}
    )


@dg.asset_check(
    pool="warehouse",
    asset="boilerplate",
    description=(
        "No dropped line reads like the report's own running text (a long line of sentences); "
        "one that does points at a line rule that is too broad."
    ),
)
def no_body_text_dropped(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    suspicious = query_rows(
        duckdb,
        "SELECT report_id, line_no, reason, left(line, 60) FROM boilerplate "
        "WHERE whole_line AND length(line) >= 60 AND regexp_matches(line, '[。；！？]')",
    )
    return dg.AssetCheckResult(
        passed=not suspicious,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"lines": [f"{r} line {n} ({why}): {text}" for r, n, why, text in suspicious]},
    )
