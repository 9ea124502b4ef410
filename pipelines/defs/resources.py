"""Resources: where the corpus and the warehouse are, and the working DuckDB database."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.landing.store import ContentStore
from pipelines.settings import Settings, load_settings


class CorpusResource(dg.ConfigurableResource):
    """The corpus folder and the published warehouse file (FAZHI_SOURCES, FAZHI_WAREHOUSE)."""

    sources: str
    warehouse: str

    @property
    def settings(self) -> Settings:
        return Settings(sources=Path(self.sources), warehouse=Path(self.warehouse))

    @property
    def store(self) -> ContentStore:
        return ContentStore(self.settings.store)


@dg.definitions
def resources() -> dg.Definitions:
    settings = load_settings()
    settings.staging.parent.mkdir(parents=True, exist_ok=True)
    return dg.Definitions(
        resources={
            "corpus": CorpusResource(
                sources=str(settings.sources), warehouse=str(settings.warehouse)
            ),
            "duckdb": DuckDBResource(database=str(settings.staging)),
        }
    )
