"""Snapshot of the Dagster definitions: a change to the asset graph shows up in review.

Regenerate with FAZHI_UPDATE_SNAPSHOTS=1 after an intended change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg

from pipelines.definitions import defs
from pipelines.defs.policy import CRAWL_POOL, WAREHOUSE_POOL

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"


def describe(definitions: dg.Definitions) -> dict:
    graph = definitions.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "kinds": sorted(node.kinds),
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
            "has_description": bool(node.description),
            "pool": node.pools and sorted(node.pools),
        }
    checks = sorted(f"{k.asset_key.to_user_string()}:{k.name}" for k in graph.asset_check_keys)
    jobs = sorted(
        job.name for job in definitions.resolve_all_job_defs() if not job.name.startswith("__")
    )
    return {"assets": assets, "checks": checks, "jobs": jobs}


def test_definitions_match_the_snapshot() -> None:
    current = describe(defs())
    if os.environ.get("FAZHI_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(
            json.dumps(current, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    assert current == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_every_asset_has_a_description_and_a_group() -> None:
    for name, asset in describe(defs())["assets"].items():
        assert asset["has_description"], name
        assert asset["group"] != "default", name


def test_every_step_that_touches_the_warehouse_is_in_its_pool() -> None:
    """The policy of pipelines/defs/policy.py, step by step: every asset and check step that
    uses the working database is in the warehouse pool, as is every step of a build; the
    crawl's one step is in the crawl pool."""
    definitions = defs()
    steps = {
        node.name: node
        for job in definitions.resolve_all_job_defs()
        for node in job.graph.node_defs
    }
    assert "quality_checks" in steps
    writers = {
        name: node.pool for name, node in steps.items() if "duckdb" in node.required_resource_keys
    }
    assert set(writers.values()) == {WAREHOUSE_POOL}
    build = definitions.resolve_job_def("build_warehouse").graph.node_defs
    assert {node.name: node.pool for node in build} == {node.name: WAREHOUSE_POOL for node in build}
    crawl = definitions.resolve_job_def("crawl_sources").graph.node_defs
    assert {node.name: node.pool for node in crawl} == {"crawled_reports": CRAWL_POOL}
