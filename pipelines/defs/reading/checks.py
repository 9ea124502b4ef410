import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.queries import query_rows
from pipelines.reading.ocr import LOW_CONFIDENCE


@dg.asset_check(
    pool="warehouse",
    asset="reports",
    description=(
        f"Every page of a scanned report that OCR read has a mean character confidence of at "
        f"least {LOW_CONFIDENCE}: a page read with less is worth comparing with the scan before "
        "its figures are used. The report is published either way (source_format pdf-ocr)."
    ),
)
def ocr_pages_confident(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    # One row per page read with too little confidence: what a quality flag per page is made of.
    low = query_rows(
        duckdb,
        "SELECT r.source_name, p.page_no, round(p.confidence, 3) "
        "FROM reports r JOIN work.documents d USING (report_id), "
        "unnest(d.ocr_pages) AS t(p) WHERE p.confidence < $low ORDER BY ALL",
        {"low": LOW_CONFIDENCE},
    )
    read_by_ocr = query_rows(
        duckdb, "SELECT count(*) FROM reports WHERE source_format = 'pdf-ocr'"
    )[0][0]
    return dg.AssetCheckResult(
        passed=not low,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "reports_read_by_ocr": read_by_ocr,
            "low_confidence_pages": [f"{n} page {page}: {c}" for n, page, c in low],
        },
    )
