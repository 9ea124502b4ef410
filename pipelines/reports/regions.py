"""Regions: one canonical spelling per unit, from the alias table or from the name itself."""

from __future__ import annotations

import re
from functools import cache

import polars as pl

from pipelines.settings import RULES_DIR

# An administrative unit: a name ending in a level word. 市 in 市场/市民/市政 and 区 in 区域/区委
# are words of their own, not units.
ADMIN_UNIT = re.compile(
    r".{1,12}?(?:特别行政区|自治区|省|自治州|地区|盟|市(?!场|民|政|容|级|直)|自治县|县|旗|"
    r"新区|开发区|高新区|保税区|保税港区|园区|试验区|合作区|示范区|生态城|区(?!域|委|划|级|块|间))"
)
PARENTHESES = re.compile(r"[（(][^）)]*[）)]")


@cache
def region_aliases() -> tuple[tuple[str, str, str | None], ...]:
    """(alias, region, parent_region), longest alias first so 天津滨海新区 wins over 滨海新区."""
    table = pl.read_csv(
        RULES_DIR / "region_aliases.csv", schema_overrides={"parent_region": pl.String}
    )
    return tuple(sorted(table.iter_rows(), key=lambda row: len(row[0]), reverse=True))


def admin_units(name: str) -> list[str]:
    """The chain of administrative units a name starts with: 北京市海淀区司法局 -> [北京市, 海淀区]."""
    rest = PARENTHESES.sub("", name)
    units: list[str] = []
    while match := ADMIN_UNIT.match(rest):
        units.append(match.group(0))
        rest = rest[match.end() :]
    return units


def canonical_region(*names: str | None) -> tuple[str | None, str | None]:
    """(region, parent_region) for the first name that tells: the alias table first, then the
    administrative units the name starts with."""
    aliases = region_aliases()
    for name in filter(None, names):
        for alias, region, parent in aliases:
            if alias in name:
                return region, parent
    by_alias = {alias: (region, parent) for alias, region, parent in aliases}
    for name in filter(None, names):
        units = admin_units(name)
        if units:
            return by_alias.get(units[-1], (units[-1], units[-2] if len(units) > 1 else None))
    return None, None


def assign_regions(reports: pl.DataFrame, *name_columns: str) -> pl.DataFrame:
    """Add region and parent_region, looked up once per distinct combination of names."""
    distinct = reports.select(name_columns).unique()
    resolved = [canonical_region(*row) for row in distinct.iter_rows()]
    lookup = distinct.with_columns(
        region=pl.Series([r for r, _ in resolved], dtype=pl.String),
        parent_region=pl.Series([p for _, p in resolved], dtype=pl.String),
    )
    return reports.join(lookup, on=list(name_columns), how="left", nulls_equal=True)
