"""Data sources by name ("builtin", "movies", …, or a table's path): each one's training and
held-out parts.

Each source has a training part and a held-out test part:

    builtin        the grammar with the run's seed; test: GRAMMAR_TEST_SEED, a seed no run uses
    movies, amazon, nyt, tweets
                   that corpus's fixed split (rnnviz.data.corpora)
    vader-all      all four corpora
    a .csv/.tsv    all of its rows, for training and for testing alike; an already-loaded table
                   (an upload) holds a stratified share out for the test instead
"""

from __future__ import annotations

from rnnviz.data import corpora
from rnnviz.data.corpora import DEFAULT_NEUTRAL_BAND, Split
from rnnviz.data.dataset import Progress, TextDataset
from rnnviz.data.grammar import grammar_dataset
from rnnviz.data.tables import TABLE_SUFFIXES, load_table

# Named data sources for configs and the command line; anything ending in a TABLE_SUFFIXES
# suffix is a user table.
SOURCES = ("builtin", "movies", "amazon", "nyt", "tweets", "vader-all")
GRAMMAR_TEST_SEED = -1  # the grammar's "test" split: sentences from a seed no training run uses


def source_problem(source: object) -> str | None:
    """Why `source` cannot name a data source, or None when it can."""
    if isinstance(source, str) and (source in SOURCES or source.lower().endswith(TABLE_SUFFIXES)):
        return None
    return f"unknown data source {source!r}; choose {', '.join(SOURCES)} or a .csv/.tsv file"


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
    that corpus's fixed split; vader-all: all four corpora; a table: all of its rows.
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
    if source in corpora.CORPORA:
        return corpora.load_corpus(source, split, neutral_band, progress)
    return load_table(source)
