"""The per-report stages, from the landed files to term counts, in one step.

Each stage keeps its own tables and cache keys (pipelines/warehouse/stages.py); the plain
functions of its folder say how it is made and what its materialization shows. They run in one
step because a step of its own for each cost more in Dagster's bookkeeping (events written to
the run storage, a slot in the warehouse pool) than a re-run with one new report spends in most
of them, and so that a batch of reports passes from stage to stage in memory.
"""

from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.cleaning.refresh import candidates_step, cleaning_metadata, cleaning_step
from pipelines.defs.policy import warehouse_multi_asset
from pipelines.defs.resources import CorpusResource
from pipelines.facts.refresh import facts_metadata, facts_step
from pipelines.reading.documents import first_names
from pipelines.reading.refresh import documents_metadata, reading_step
from pipelines.reports.refresh import reports_step, reports_tables
from pipelines.shared.frames import query_frame
from pipelines.shared.word_cutter import word_cutter
from pipelines.structure.refresh import structure_metadata, structure_step
from pipelines.terms.refresh import cutting_ahead, terms_step, terms_tables
from pipelines.terms.segment_cache import prepare_segmenting
from pipelines.warehouse.incremental import BATCH_REPORTS, refresh_chain, reports_to_make
from pipelines.warehouse.tables import read_table

# Tables made per report by polars; the corpus-wide ones and rejected_sources by DuckDB alone.
PER_REPORT = frozenset({"polars", "duckdb"})
SQL_ONLY = frozenset({"duckdb"})


def spec(
    name: str, group: str, deps: list[str], description: str, kinds: frozenset[str] = PER_REPORT
) -> dg.AssetSpec:
    return dg.AssetSpec(name, group_name=group, deps=deps, kinds=kinds, description=description)


AFTER_CLEANING = ["documents", "boilerplate"]
AFTER_STRUCTURE = ["reports", "sentences"]


def report_specs() -> list[dg.AssetSpec]:
    # Made by a function: the defs loader would take specs at module level for assets of their own.
    return [
        spec(
            "documents",
            "reading",
            ["source_files"],
            "Each distinct content of the corpus read to text by its format: text files with the "
            "encoding detected (UTF-8, UTF-16, GB18030), web pages as their visible lines with the "
            "main content located (trafilatura) and the page's own title, date, source and URL, Word "
            "paragraphs and tables, PDF text layers with wrapped lines joined; full-width digits, "
            "letters, % and spaces made ASCII. Inputs that cannot be read are set aside with the "
            "reason. Kept in the working database (work.documents).",
        ),
        spec(
            "boilerplate",
            "cleaning",
            ["documents"],
            "Site chrome dropped from every document, so that reports.text holds only the report's "
            "own words: lines outside a web page's main content, lines taken by rules/boilerplate.tsv, "
            "lines beyond the chrome that frames the report, lines repeated on several pages of one "
            "site, and artefacts inside lines (rules/artefacts.tsv). Every dropped line is a row here; "
            "the clean texts go to the working database (work.clean_texts, work.document_lines). "
            "A document is cleaned again only when it, its site's repeated lines or the rules change.",
        ),
        spec(
            "reports",
            "reports",
            AFTER_CLEANING,
            "One row per distinct report: its clean text, issuing body, region (one spelling "
            "per unit), parent region, report year, title, publication date and URL, inferred "
            "from the text and from the page's metadata harvested before its chrome was dropped.",
        ),
        spec(
            "rejected_sources",
            "reports",
            AFTER_CLEANING,
            "Inputs that did not become reports, with the stage and the reason.",
            SQL_ONLY,
        ),
        spec(
            "sections",
            "structure",
            ["reports"],
            "The heading tree of every report, each top-level part classified as measures, "
            "leadership, shortcomings, plans or other (rules/report_parts.tsv).",
        ),
        spec(
            "sentences",
            "structure",
            ["reports"],
            "Every sentence with its section, part and offsets into reports.text.",
        ),
        spec(
            "facts",
            "facts",
            ["sentences"],
            "Every quantity mention (value, unit, qualifier, subject, part of the report) with its "
            "offsets into reports.text, mapped to a standard indicator where it states one; and "
            "which is each report's headline figure per indicator (headline_facts).",
        ),
        spec(
            "terms",
            "terms",
            AFTER_STRUCTURE,
            "How often each term occurs in each report: jieba segmentation (HMM off, run by "
            "rjieba) with the domain dictionary rules/jieba_dict.txt and the indicator names, "
            "stop words (rules/stopwords.txt), numbers and single characters left out. Each "
            "distinct text is segmented once and cached (work.segmentations).",
        ),
        spec(
            "sentence_terms",
            "terms",
            AFTER_STRUCTURE,
            "Term counts per sentence: the index marts.search_sentences ranks by BM25.",
            SQL_ONLY,
        ),
        spec(
            "vocabulary",
            "terms",
            AFTER_STRUCTURE,
            "Every term of the corpus with the reports and sentences it occurs in.",
            SQL_ONLY,
        ),
    ]


# What Dagster shows as markdown.
MARKDOWN = {"preview"}


def materialized(asset: str, metadata: dict[str, object]) -> dg.MaterializeResult:
    return dg.MaterializeResult(
        asset_key=asset,
        metadata={
            name: dg.MetadataValue.md(value) if name in MARKDOWN else value
            for name, value in metadata.items()
        },
    )


@warehouse_multi_asset(specs=report_specs())
def report_tables(
    context: dg.AssetExecutionContext, corpus: CorpusResource, duckdb: DuckDBResource
) -> Iterator[dg.MaterializeResult]:
    warn, log = context.log.warning, context.log.info
    with duckdb.get_connection() as conn:
        files = read_table(conn, "source_files")
        contents = first_names(files)
        # Each batch of documents is read, and its candidate chrome found beside the reading
        # of the next. Cleaning needs every document's candidates first; then each batch of
        # reports goes through cleaning and metadata (made beside the next batch's cleaning),
        # and then through structure, facts and terms, each stage taking what the one before
        # made of the batch rather than reading it back.
        reading = reading_step(contents, corpus.store)
        # New documents will be cut into words: the cutter process (facts' subjects, a few
        # texts' terms) and the segmenter build their dictionaries beside the stages before them.
        if to_read := reports_to_make(conn, reading):
            word_cutter()
            prepare_segmenting(to_read)
        # A step computed beside a chain works on a connection of its own.
        with conn.cursor() as beside:
            candidates = candidates_step(beside, contents, reading.keys)
            read, found = refresh_chain(conn, [reading, candidates.step])
        made = {"documents": documents_metadata(conn, read)}
        cleaning = cleaning_step(conn, contents, candidates, found)
        with conn.cursor() as beside:
            cut = cutting_ahead(conn, reports_step(beside, contents, cleaning.step.keys))
            cleaned, reported = refresh_chain(conn, [cleaning.step, cut.step])
        made["boilerplate"] = cleaning_metadata(conn, cleaning, cleaned)
        made |= reports_tables(conn, files, reported, warn)
        keys = query_frame(conn, "SELECT report_id, key FROM work.structure_keys")
        terms = terms_step(conn, keys, cut)
        # Terms take the most memory per report: batches half the usual size. They are
        # counted beside facts, which take nothing of theirs, so the chain's last batch ends
        # when the longer of the two does.
        split, counted, extracted = refresh_chain(
            conn,
            [structure_step(conn, keys), terms.step, facts_step(conn, keys)],
            BATCH_REPORTS // 2,
        )
        made |= structure_metadata(conn, split)
        made["facts"] = facts_metadata(conn, extracted)
        made |= terms_tables(conn, terms, counted, log)
    for asset, metadata in made.items():
        yield materialized(asset, metadata)
