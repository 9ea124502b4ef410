import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.queries import content_check_result
from pipelines.reading.ocr import LOW_CONFIDENCE


@dg.asset_check(
    pool="warehouse",
    additional_deps=["quality_flags"],
    asset="reports",
    description=(
        f"Every page of a scanned report that OCR read has a mean character confidence of at "
        f"least {LOW_CONFIDENCE}: a page read with less is worth comparing with the scan before "
        "its figures are used. Warns, and quality_flags lists the pages; the report is published "
        "either way (source_format pdf-ocr)."
    ),
)
def ocr_pages_confident(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    return content_check_result(duckdb, "ocr_pages_confident")
