"""Proves interventions are exact: identity is bit-identical, patching all of B into A gives B, a
change at the last word leaves earlier words alone, and the changed trace matches a float64
reference step computation; plus the issue's three examples and the aggregate effect."""

import numpy as np
import pytest
import torch

from rnnviz.analysis import interventions as iv
from rnnviz.analysis.negation_units import negation_unit_scores
from rnnviz.core.trace import GATE_NAMES, trace_sentence
from rnnviz.data.pairs import Pair
from rnnviz.training.metrics import pair_score
from tests.conftest import make_classifier

SHAPES = [
    dict(cell="lstm"),
    dict(cell="gru"),
    dict(cell="rnn_tanh"),
    dict(cell="rnn_relu", num_layers=2),
    dict(cell="lstm", num_layers=2, bidirectional=True),
    dict(cell="gru", num_layers=2, readout="mean"),
    dict(cell="lstm", readout="max"),
]


def _ids(classifier, text):
    return classifier.tokens_and_ids(text)[1]


def _patch_everything(classifier, source, names=None):
    """Interventions that patch every quantity (or `names`) of every layer, direction, unit and
    word from `source`'s clean trace."""
    units = tuple(range(classifier.config.hidden_size))
    found = []
    for s in source.states:
        for name in names or s.quantities():
            if name in s.quantities():
                found.append(
                    iv.Intervention(
                        name, units, 0, source.steps - 1, "patch", s.layer, s.direction, source=source
                    )
                )
    return found


@pytest.mark.parametrize("shape", SHAPES)
def test_identity_intervention_is_bit_identical(shape):
    classifier = make_classifier(**shape)
    ids = _ids(classifier, "i do not think the movie was very good")
    clean = iv.intervene(classifier, ids)
    same = iv.intervene(classifier, ids, _patch_everything(classifier, clean.trace))
    for a, b in zip(clean.trace.states, same.trace.states, strict=True):
        for name, values in a.quantities().items():
            assert np.array_equal(values, b.quantities()[name])
    assert np.array_equal(clean.probabilities, same.probabilities)
    if not classifier.config.bidirectional:  # a bidirectional prefix is read afresh (see the module)
        assert np.array_equal(clean.prefix_probabilities, same.prefix_probabilities)
    # ...and the clean run is the app's own trace (bit for bit where it reads prefixes from it)
    reference = trace_sentence(classifier, "i do not think the movie was very good")
    for a, b in zip(clean.trace.states, reference.trace.states, strict=True):
        assert np.array_equal(a.hidden, b.hidden)
    if not classifier.config.bidirectional:
        assert np.array_equal(clean.prefix_probabilities, reference.prefix_probabilities)
    else:
        assert np.abs(clean.prefix_probabilities - reference.prefix_probabilities).max() <= 1e-5


@pytest.mark.parametrize("shape", SHAPES)
def test_patching_every_state_of_b_into_a_gives_b(shape):
    classifier = make_classifier(**shape)
    a = _ids(classifier, "the movie was not good")
    b = _ids(classifier, "it is never very bad")
    clean_a, clean_b = iv.intervene(classifier, a), iv.intervene(classifier, b)
    assert not np.array_equal(clean_a.probabilities, clean_b.probabilities)
    patched = iv.intervene(
        classifier, a, _patch_everything(classifier, clean_b.trace, ["hidden", "cell_state"])
    )
    assert np.array_equal(patched.probabilities, clean_b.probabilities)
    if not classifier.config.bidirectional:
        assert np.array_equal(
            patched.prefix_probabilities,
            trace_sentence(classifier, "it is never very bad").prefix_probabilities,
        )


@pytest.mark.parametrize("shape", SHAPES)
def test_an_intervention_at_the_last_word_changes_nothing_before_it(shape):
    classifier = make_classifier(**shape)
    ids = _ids(classifier, "i do not think the movie was good")
    last = len(ids) - 1
    clean = iv.intervene(classifier, ids)
    units = tuple(range(classifier.config.hidden_size))
    changed = iv.intervene(classifier, ids, [iv.Intervention("h", units, last, last, "constant", value=0.9)])
    assert np.array_equal(changed.prefix_probabilities[:-1], clean.prefix_probabilities[:-1])
    assert not np.array_equal(changed.prefix_probabilities[-1], clean.prefix_probabilities[-1])
    for a, b in zip(clean.trace.states, changed.trace.states, strict=True):
        if a.direction == "forward":
            for name, values in a.quantities().items():
                assert np.array_equal(values[:-1], b.quantities()[name][:-1])


def _reference(classifier, ids, interventions):
    """Float64 step-by-step computation from the module's weights, with the interventions
    applied as each quantity is computed: {(layer, direction, name): [steps, H]}."""
    rnn, config = classifier.model.rnn, classifier.config
    with torch.no_grad():
        x = classifier.model.embedding(torch.tensor(ids)).double()
    size, steps, found = config.hidden_size, len(ids), {}

    def apply(layer, direction, t, name, v):
        for k in interventions:
            if (k.layer, k.direction, k.quantity) == (layer, direction, name) and k.start <= t <= k.end:
                for u in k.units:
                    if k.mode == "zero":
                        v[u] = 0.0
                    elif k.mode == "constant":
                        v[u] = k.value
                    elif k.mode == "mean":
                        v[u] = float(k.mean[u])
                    else:
                        v[u] = float(k.source.state(layer, direction).quantities()[name][t + k.offset, u])
        return v

    for layer in range(config.num_layers):
        outs = []
        for direction in ("forward", "backward")[: config.num_directions]:
            sfx = f"_l{layer}" + ("_reverse" if direction == "backward" else "")
            w_ih, w_hh = (getattr(rnn, n + sfx).detach().double() for n in ("weight_ih", "weight_hh"))
            b_ih, b_hh = (getattr(rnn, n + sfx).detach().double() for n in ("bias_ih", "bias_hh"))
            h, c = torch.zeros(size, dtype=torch.float64), torch.zeros(size, dtype=torch.float64)
            rows = {
                name: torch.zeros(steps, size, dtype=torch.float64)
                for name in ("hidden", "cell_state", *GATE_NAMES[config.cell])
            }
            order = range(steps - 1, -1, -1) if direction == "backward" else range(steps)
            for t in order:
                gi, gh = w_ih @ x[t] + b_ih, w_hh @ h + b_hh
                if config.cell == "lstm":
                    i, f, g, o = (gi + gh).chunk(4)
                    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
                    for name, v in zip(GATE_NAMES["lstm"], (i, f, g, o), strict=True):
                        rows[name][t] = apply(layer, direction, t, name, v)
                    c = apply(layer, direction, t, "cell_state", f * c + i * g)
                    h = apply(layer, direction, t, "hidden", o * torch.tanh(c))
                    rows["cell_state"][t] = c
                elif config.cell == "gru":
                    (ir, iz, in_), (hr, hz, hn) = gi.chunk(3), gh.chunk(3)
                    r = apply(layer, direction, t, "reset", torch.sigmoid(ir + hr))
                    z = apply(layer, direction, t, "update", torch.sigmoid(iz + hz))
                    n = apply(layer, direction, t, "new", torch.tanh(in_ + r * hn))
                    rows["reset"][t], rows["update"][t], rows["new"][t] = r, z, n
                    h = apply(layer, direction, t, "hidden", (1 - z) * n + z * h)
                else:
                    act = torch.relu if config.cell == "rnn_relu" else torch.tanh
                    h = apply(layer, direction, t, "hidden", act(gi + gh))
                rows["hidden"][t] = h
            found.update({(layer, direction, n): v.numpy() for n, v in rows.items()})
            outs.append(rows["hidden"])
        x = torch.cat(outs, dim=1)
    return found


@pytest.mark.parametrize("shape", SHAPES)
def test_trace_after_intervention_matches_a_reference_step_computation(shape):
    classifier = make_classifier(**shape)
    ids = _ids(classifier, "i do not think the movie was very good")
    other = iv.intervene(classifier, _ids(classifier, "it is great , never awful")).trace
    gate = (GATE_NAMES[classifier.config.cell] or ("hidden",))[-1]
    top = classifier.config.num_layers - 1
    mean = np.linspace(-0.5, 0.5, classifier.config.hidden_size).astype(np.float32)
    interventions = [
        iv.Intervention("hidden", (0, 2), 2, 3, "zero"),
        iv.Intervention(gate, (1,), 1, 5, "constant", value=0.25),
        iv.Intervention("hidden", (3, 4), 4, 6, "mean", layer=top, mean=mean),
        iv.Intervention("hidden", (5,), 0, 2, "patch", source=other, source_start=3),
    ]
    if classifier.config.cell == "lstm":
        interventions.append(iv.Intervention("c", (1, 5), 3, 4, "zero"))
    if classifier.config.bidirectional:
        interventions.append(iv.Intervention("h", (0,), 5, 8, "constant", value=-0.5, direction="backward"))
    result = iv.intervene(classifier, ids, interventions)
    reference = _reference(classifier, ids, interventions)
    for s in result.trace.states:
        for name, values in s.quantities().items():
            assert np.abs(values - reference[(s.layer, s.direction, name)]).max() <= 1e-5, (s.layer, name)


def test_forget_gate_zero_at_not_leaves_only_the_new_memory():
    classifier = make_classifier(cell="lstm")
    tokens, ids = classifier.tokens_and_ids("the movie was not good")
    at = tokens.index("not")
    units = tuple(range(classifier.config.hidden_size))
    result = iv.intervene(classifier, ids, [iv.Intervention("f", units, at, at)])
    state = result.trace.state(0)
    assert np.all(state.gates["forget"][at] == 0)
    assert np.array_equal(state.cell[at], state.gates["input"][at] * state.gates["cell"][at])
    clean = iv.intervene(classifier, ids)
    assert np.array_equal(result.prefix_probabilities[:at], clean.prefix_probabilities[:at])
    assert not np.array_equal(result.prefix_probabilities[at], clean.prefix_probabilities[at])


def test_zero_the_top_three_negation_units():
    classifier = make_classifier(cell="lstm", hidden_size=12)
    pairs = [
        Pair("the movie was good", "the movie was not good"),
        Pair("it is great", "it is not great"),
        Pair("the film was bad", "the film was never bad"),
        Pair("i think it is awful", "i do n't think it is awful"),
    ]
    top = tuple(negation_unit_scores(classifier, pairs, quantity="hidden").ranked_units[:3])
    ids = _ids(classifier, "the movie was not good")
    zeroed = iv.intervene(classifier, ids, [iv.Intervention("h", top, 0, len(ids) - 1)])
    assert np.all(zeroed.trace.state(0).hidden[:, list(top)] == 0)
    assert not np.array_equal(zeroed.probabilities, iv.intervene(classifier, ids).probabilities)


def test_patch_a_cell_state_at_not_into_b():
    classifier = make_classifier(cell="lstm")
    tokens_a, a = classifier.tokens_and_ids("the movie was not good")
    b = _ids(classifier, "the movie was good")
    source = iv.intervene(classifier, a).trace
    at_not = tokens_a.index("not")
    units = tuple(range(classifier.config.hidden_size))
    # B's memory after "was" becomes A's after "not"; B then reads "good" from there
    patch = iv.Intervention("c", units, 2, 2, "patch", source=source, source_start=at_not)
    result = iv.intervene(classifier, b, [patch])
    assert np.array_equal(result.trace.state(0).cell[2], source.state(0).cell[at_not])
    clean_b = iv.intervene(classifier, b)
    assert np.array_equal(result.prefix_probabilities[:2], clean_b.prefix_probabilities[:2])
    assert not np.array_equal(result.prefix_probabilities[3], clean_b.prefix_probabilities[3])


def test_bad_interventions_are_refused_with_a_reason():
    classifier = make_classifier(cell="gru")
    ids = _ids(classifier, "the movie was good")
    with pytest.raises(ValueError, match="no quantity"):
        iv.intervene(classifier, ids, [iv.Intervention("forget", (0,), 0, 0)])
    with pytest.raises(ValueError, match="units must be"):
        iv.intervene(classifier, ids, [iv.Intervention("h", (99,), 0, 0)])
    with pytest.raises(ValueError, match="no layer"):
        iv.intervene(classifier, ids, [iv.Intervention("h", (0,), 0, 0, layer=1)])
    short = iv.intervene(classifier, ids[:2]).trace
    with pytest.raises(ValueError, match="other sentence"):
        iv.intervene(classifier, ids, [iv.Intervention("h", (0,), 0, 3, "patch", source=short)])
    with pytest.raises(ValueError, match="start <= end"):
        iv.Intervention("h", (0,), 3, 1)
    with pytest.raises(ValueError, match="mode must be"):
        iv.Intervention("h", (0,), 0, 1, "double")
    assert iv.Intervention("z", (0,), 0, 0).quantity == "update"


def test_corpus_means_are_the_mean_over_every_word():
    classifier = make_classifier(cell="lstm")
    sentences = [["the", "movie", "was", "good"], ["not", "bad"]]
    means = iv.corpus_means(classifier, sentences)
    rows = np.concatenate([trace_sentence(classifier, s).trace.state(0).cell for s in sentences])
    assert np.abs(means[(0, "forward", "cell_state")] - rows.mean(axis=0)).max() <= 1e-6


PAIRS = [
    Pair("the movie was good", "the movie was not good", "positive", "negative"),
    Pair("it is bad", "it is not bad", "negative", "positive"),
    Pair("the film was great", "the film was never great", "positive", "negative"),
    Pair("i think it is awful", "i do n't think it is awful", "negative", "positive"),
]


def test_aggregate_effect_against_pair_score():
    classifier = make_classifier(cell="lstm")
    template = iv.Intervention("h", (0, 1), 0, 0, "zero")
    effect = iv.aggregate_effect(classifier, PAIRS, template, draws=4, seed=1)
    labels = classifier.labels
    labelled = [((p.text_a, labels.index(p.label_a)), (p.text_b, labels.index(p.label_b))) for p in PAIRS]
    assert effect.n_pairs == 4 and effect.random_after.shape == (4,)
    assert effect.before == pytest.approx(pair_score(classifier, labelled).both_right)
    # every unit forced to a large constant at every word: the same answer for every sentence
    units = tuple(range(classifier.config.hidden_size))
    forced = iv.aggregate_effect(
        classifier, PAIRS, iv.Intervention("h", units, 0, 0, "constant", value=1.0), "all", 2
    )
    assert forced.after == 0.0  # pairs that flip cannot both be right with one answer
    with pytest.raises(ValueError, match="patch"):
        iv.aggregate_effect(
            classifier, PAIRS, iv.Intervention("h", (0,), 0, 0, "patch", source=forced_trace(classifier))
        )


def forced_trace(classifier):
    return iv.intervene(classifier, _ids(classifier, "good")).trace


def test_aggregate_effect_equals_changing_each_sentence_by_hand():
    classifier = make_classifier(cell="gru")
    template = iv.Intervention("h", (0, 2, 4), 0, 0, "constant", value=0.8)
    effect = iv.aggregate_effect(classifier, PAIRS, template, "negator", draws=2)
    right = []
    for pair in PAIRS:
        for text, label in ((pair.text_a, pair.label_a), (pair.text_b, pair.label_b)):
            tokens, ids = classifier.tokens_and_ids(text)
            changes = [
                iv.Intervention("h", (0, 2, 4), t, t, "constant", value=0.8)
                for t, w in enumerate(tokens)
                if w in ("not", "never", "n't")
            ]
            answer = iv.intervene(classifier, ids, changes).probabilities
            right.append(classifier.labels[int(np.argmax(answer))] == label)
    assert effect.after == np.asarray(right).reshape(-1, 2).all(axis=1).mean()
