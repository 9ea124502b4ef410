"""Dagster policy, set once: every step that touches the working database or the files beside
it takes the one slot of the `warehouse` pool, so that two runs never write at once, and the
crawl takes the `crawl` pool, so that two crawls never ask a site at once (dagster.yaml limits
every pool to one slot). Assets and checks are declared with these decorators, never with a
pool of their own."""

from __future__ import annotations

from functools import partial

import dagster as dg

WAREHOUSE_POOL = "warehouse"
CRAWL_POOL = "crawl"

warehouse_asset = partial(dg.asset, pool=WAREHOUSE_POOL)
warehouse_multi_asset = partial(dg.multi_asset, pool=WAREHOUSE_POOL)
warehouse_asset_check = partial(dg.multi_asset_check, pool=WAREHOUSE_POOL)
crawl_asset = partial(dg.asset, pool=CRAWL_POOL)
