"""Data sources by name ("builtin", "movies", …, or a table's path) and the one loader that turns a
list of them into train, validation and test splits.

Each source has a training part and a held-out test part:

    builtin        the grammar with the run's seed; test: GRAMMAR_TEST_SEED, a seed no run uses
    movies, amazon, nyt, tweets
                   that corpus's fixed split (rnnviz.data.corpora)
    vader-all      all four corpora
    written        the everyday sentences written by hand (rnnviz.data.written) and its fixed split
    a .csv/.tsv    all of its rows, for training and for testing alike; an already-loaded table
                   (an upload) holds a stratified share out for the test instead

`load_splits` mixes the training parts of every source and cuts a stratified validation share
from the mix; the test parts are mixed likewise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rnnviz.core.markup import clip
from rnnviz.data import corpora
from rnnviz.data.corpora import DEFAULT_NEUTRAL_BAND, Split
from rnnviz.data.dataset import Progress, TextDataset, stratified_split
from rnnviz.data.grammar import grammar_dataset
from rnnviz.data.tables import TABLE_SUFFIXES, load_table
from rnnviz.data.written import written_dataset

# Named data sources for configs and the command line; anything ending in a TABLE_SUFFIXES
# suffix is a user table.
SOURCES = ("builtin", "movies", "amazon", "nyt", "tweets", "vader-all", "written")
GRAMMAR_TEST_SEED = -1  # the grammar's "test" split: sentences from a seed no training run uses


def source_problem(source: object) -> str | None:
    """Why `source` cannot name a data source, or None when it can."""
    if isinstance(source, str) and (source in SOURCES or source.lower().endswith(TABLE_SUFFIXES)):
        return None
    return f"unknown data source '{clip(source, 40)}'; choose {', '.join(SOURCES)} or a .csv/.tsv file"


def load_source(
    source: str,
    split: Split = "train",
    *,
    builtin_size: int = 20_000,
    seed: int = 0,
    neutral_band: float = DEFAULT_NEUTRAL_BAND,
    progress: Progress | None = None,
) -> TextDataset:
    """A data source by name (SOURCES) or table path.

    builtin: the grammar with `seed` ("test": with GRAMMAR_TEST_SEED); movies/amazon/nyt/tweets:
    that corpus's fixed split; vader-all: all four corpora; written: the hand-written sentences'
    fixed split; a table: all of its rows.
    """
    problem = source_problem(source)
    if problem:
        raise ValueError(problem)
    if source == "builtin":
        return grammar_dataset(builtin_size, GRAMMAR_TEST_SEED if split == "test" else seed)
    if source == "vader-all":
        corpora.fetch_corpora(progress)
        parts = [corpora.load_corpus(name, split, neutral_band) for name in corpora.CORPORA]
        return TextDataset.concat(parts, f"all four corpora ({split})")
    if source == "written":
        return written_dataset(split)
    if source in corpora.CORPORA:
        return corpora.load_corpus(source, split, neutral_band, progress)
    return load_table(source)


def _with_copies(train: TextDataset, texts: set[str], copies: int) -> TextDataset:
    """`train` followed by `copies` more copies of its examples whose text is in `texts`."""
    chosen = train.subset([i for i, text in enumerate(train.texts) if text in texts])
    return TextDataset.concat([train, *[chosen] * copies], train.name)


@dataclass(frozen=True)
class Splits:
    """What one training run trains, validates and tests on."""

    train: TextDataset  # the training parts of every source, mixed, less the validation share
    validation: TextDataset  # a stratified share of that mix
    test: TextDataset | None  # the test parts, mixed; None when no source holds any out, or not asked


def load_splits(
    sources: Sequence[str],
    *,
    builtin_size: int = 20_000,
    seed: int = 0,
    validation_fraction: float = 0.1,
    neutral_band: float = DEFAULT_NEUTRAL_BAND,
    with_test: bool = True,
    builtin_test_size: int | None = None,
    tables: Mapping[str, TextDataset] | None = None,
    table_test_fraction: float = 0.0,
    repeats: Mapping[str, int] | None = None,
    progress: Progress | None = None,
) -> Splits:
    """Train, validation and test splits of `sources` (see the module docstring), all seeded.

    builtin_test_size: test sentences from the grammar (None: builtin_size). tables: already
    loaded tables by the name they have in `sources`; each keeps a stratified
    `table_test_fraction` for the test. repeats: source -> how many times its examples are in the
    training split (cut first, so the validation split holds each example once at most).
    with_test=False loads no test parts (test is None);
    the training and validation splits are the same either way.
    Raises ValueError, TableError or CorpusError with a clear message.
    """
    tables = tables or {}
    trains, tests = [], []
    for source in sources:
        if source in tables:
            train, _, test = stratified_split(tables[source], 0.0, table_test_fraction, seed)
        else:
            common = dict(seed=seed, neutral_band=neutral_band, progress=progress)
            train = load_source(source, "train", builtin_size=builtin_size, **common)
            test = None
            if with_test:
                test_size = builtin_size if builtin_test_size is None else builtin_test_size
                test = load_source(source, "test", builtin_size=test_size, **common)
        trains.append(train)
        if with_test and test is not None and len(test):
            tests.append(test)
    combined = TextDataset.concat(trains, " + ".join(t.name for t in trains))
    train, validation, _ = stratified_split(combined, validation_fraction, 0.0, seed)
    for source, times in (repeats or {}).items():
        if source in sources and times > 1:
            train = _with_copies(train, set(trains[sources.index(source)].texts), times - 1)
    if len(train) < 2 or len(validation) < 1:
        raise ValueError(f"{clip(combined.name)} has {len(combined)} examples; too few to train and validate")
    test = TextDataset.concat(tests, " + ".join(t.name for t in tests)) if tests else None
    return Splits(train, validation, test)
