"""Proves data sources by name and the one train/validation/test loader: names are checked, each
source gives its training and held-out parts, and load_splits mixes them exactly as stratified
splits of the mixed training parts (with or without a test split, the same sentences)."""

import pytest

from rnnviz.data.dataset import LABELS, TextDataset, stratified_split
from rnnviz.data.grammar import grammar_dataset
from rnnviz.data.sources import GRAMMAR_TEST_SEED, load_source, load_splits, source_problem
from rnnviz.data.tables import load_table


def _table(tmp_path, rows: int = 60) -> str:
    path = tmp_path / "mine.csv"
    body = "".join(f"sentence {i} was {'good' if i % 2 else 'bad'},{LABELS[i % 2]}\n" for i in range(rows))
    path.write_text("text,label\n" + body, encoding="utf-8")
    return str(path)


def test_source_names_are_checked():
    assert source_problem("builtin") is None and source_problem("reviews.TSV") is None
    assert "unknown data source 'films'" in source_problem("films")
    assert source_problem(3) is not None
    with pytest.raises(ValueError, match="unknown data source"):
        load_source("films")


def test_the_grammar_holds_out_a_seed_no_run_uses():
    assert load_source("builtin", builtin_size=50, seed=4) == grammar_dataset(50, 4)
    assert load_source("builtin", "test", builtin_size=50, seed=4) == grammar_dataset(50, GRAMMAR_TEST_SEED)


def test_splits_are_stratified_splits_of_the_mixed_training_parts(tmp_path):
    table = _table(tmp_path)
    splits = load_splits(
        ("builtin", table), builtin_size=200, seed=3, validation_fraction=0.2, builtin_test_size=40
    )
    parts = [load_source("builtin", builtin_size=200, seed=3), load_source(table)]
    mixed = TextDataset.concat(parts, " + ".join(p.name for p in parts))
    train, validation, _ = stratified_split(mixed, 0.2, 0.0, 3)
    assert (splits.train, splits.validation) == (train, validation)
    # a table path has no held-out part: all of its rows are tested too
    held_out = [grammar_dataset(40, GRAMMAR_TEST_SEED), load_table(table)]
    assert splits.test == TextDataset.concat(held_out, " + ".join(p.name for p in held_out))
    without = load_splits(
        ("builtin", table), builtin_size=200, seed=3, validation_fraction=0.2, with_test=False
    )
    assert (without.train, without.validation, without.test) == (train, validation, None)


def test_a_loaded_table_keeps_a_stratified_test_share(tmp_path):
    table = load_table(_table(tmp_path, rows=100))
    splits = load_splits(("up.csv",), tables={"up.csv": table}, table_test_fraction=0.15, seed=0)
    assert (len(splits.train), len(splits.validation), len(splits.test)) == (76, 8, 16)
    assert splits.test.class_counts() == {"negative": 8, "positive": 8}
    assert set(splits.test.texts).isdisjoint(splits.train.texts + splits.validation.texts)
    untested = load_splits(("up.csv",), tables={"up.csv": table}, seed=0)
    assert untested.test is None and len(untested.train) + len(untested.validation) == 100


def test_too_little_data_is_a_message(tmp_path):
    with pytest.raises(ValueError, match="too few to train and validate"):
        load_splits(("builtin",), builtin_size=2, validation_fraction=0.1)
