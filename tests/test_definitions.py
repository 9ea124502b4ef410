"""Snapshot of the Dagster definitions: a change to the asset graph shows up in review.

Regenerate with FAZHI_UPDATE_SNAPSHOTS=1 after an intended change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg

from pipelines.definitions import defs

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
