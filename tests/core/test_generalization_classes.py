"""Issue 15, a classifier's validation split: stratified, so the trained model knows every class of the data, and
a split that cannot keep a class in training is refused naming the class."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gd_core import ConfigError, build_problem, validate
from gd_core.datasets import Dataset
from gd_core.generalization import part, split_indices
from gd_core.problems import MLP

from ..hostile import fuzz_settings

LABEL_VALUES = np.array([-1.5, 0.0, 2.0, 7.0, 10.0, 100.0])


def promised_held(n: int, v: float) -> int:
    """The issue's contract: round(v*n) held out, at least 1 when v > 0, at least 1 left to train on."""
    return 0 if v == 0 else min(max(1, round(v * n)), n - 1)


@st.composite
def labelled_splits(draw):
    k = draw(st.integers(2, 6))
    n = draw(st.integers(k, 60))
    classes = np.r_[np.arange(k), draw(st.lists(st.integers(0, k - 1), min_size=n - k, max_size=n - k))].astype(int)
    classes = np.random.default_rng(draw(st.integers(0, 99))).permutation(classes)  # every class at least once
    fraction = draw(st.one_of(st.just(0.0), st.floats(0.0, 0.999), st.sampled_from([0.5, 0.9, 0.99])))
    return LABEL_VALUES[classes], fraction, draw(st.integers(0, 2**32 - 1))


@fuzz_settings(300)
@given(labelled_splits())
def test_a_stratified_split_has_the_promised_sizes_and_trains_every_class(case):
    labels, fraction, seed = case
    n, k = len(labels), len(np.unique(labels))
    held_count = promised_held(n, fraction)
    if held_count > n - k:  # fewer training samples than classes: no split can train every class
        with pytest.raises(ConfigError, match="^validation: .* leaves class .* without training samples.*allowed"):
            split_indices(n, fraction, seed, labels)
        return
    train, held = split_indices(n, fraction, seed, labels)
    assert len(held) == held_count and len(train) == n - held_count
    assert np.array_equal(np.sort(np.r_[train, held]), np.arange(n))
    assert np.array_equal(train, np.sort(train)) and np.array_equal(held, np.sort(held))
    assert set(labels[train]) == set(labels)  # every class trains
    counts = {value: np.count_nonzero(labels == value) for value in np.unique(labels)}
    twice = [value for value, count in counts.items() if count >= 2]
    if held_count >= len(twice):  # room for one of each: every class that can be is in both parts
        assert set(twice) <= set(labels[held])
    if len(held):  # the model trained on the training part counts and labels every class as the whole data does
        data = Dataset(np.zeros((n, 1)), labels, ("x",), "y")
        trained = MLP(part(data, train), [2], "tanh", 0)
        assert trained.n_classes == k
        held_out = trained.on_samples(part(data, held))
        assert np.array_equal(held_out.classes[held_out.labels], labels[held])


def test_a_stratified_split_keeps_each_class_share_and_the_data_seeds_order():
    labels = np.repeat([0.0, 1.0, 2.0], [50, 30, 20])
    train, held = split_indices(100, 0.3, seed=7, labels=labels)
    assert [np.count_nonzero(labels[held] == c) for c in (0, 1, 2)] == [15, 9, 6]
    order = np.random.default_rng(7).permutation(100)
    for c in (0, 1, 2):  # within a class, the first samples of the data seed's permutation are held out
        in_order = [i for i in order if labels[i] == c]
        assert set(held[labels[held] == c]) == set(in_order[:len(held[labels[held] == c])])


def _csv(tmp_path, labels, order: int = 0) -> dict:
    """CSV data of two random features and ``labels``, shuffled by ``order`` (a CSV's split seed is always 0)."""
    rng = np.random.default_rng(order)
    labels = rng.permutation(labels)
    path = tmp_path / f"classes{order}.csv"
    path.write_text("a,b,y\n" + "".join(f"{x:.3f},{z:.3f},{label:g}\n" for (x, z), label
                                        in zip(rng.normal(size=(len(labels), 2)), labels)))
    return {"name": "csv", "path": str(path)}


@pytest.mark.parametrize("order", range(6))
def test_a_class_with_a_single_sample_always_trains_and_the_network_counts_every_class(tmp_path, order):
    # a plain permutation split held the lone class-2 sample out for some seeds: the network then had 2 outputs
    # and read class 2 in the held-out part as another class
    labels = [0] * 6 + [1] * 6 + [2]
    config = validate({"problem": "mlp", "hidden": [3], "data": _csv(tmp_path, labels, order),
                       "validation": 0.5, "steps": 2})
    problem = build_problem(config)
    assert problem.n_classes == 3 and 2.0 in problem.dataset.y
    held = problem.held_out
    assert np.array_equal(held.classes[held.labels], held.dataset.y)


def test_logistic_regression_on_three_classes_is_refused_whatever_the_split(tmp_path):
    # a plain split could hide the lone third class in the held-out part, which logistic regression then
    # silently counted as class 0
    labels = [0] * 6 + [1] * 6 + [2]
    for order in range(6):
        config = validate({"problem": "logistic_regression", "data": _csv(tmp_path, labels, order),
                           "validation": 0.5, "steps": 2})
        with pytest.raises(ConfigError, match="exactly two values"):
            build_problem(config)


def test_a_split_that_leaves_a_class_untrained_is_refused_naming_the_class_and_what_is_allowed():
    config = validate({"problem": "mlp", "hidden": [3], "validation": 0.9, "steps": 2,
                       "data": {"name": "spiral", "n_samples": 12, "n_classes": 3, "seed": 1}})
    with pytest.raises(ConfigError) as error:
        build_problem(config)
    assert error.value.key == "validation"
    assert str(error.value) == ("validation: 0.9 of 12 samples holds out 11, which leaves class 0 without training "
                                "samples (3 classes need at least one training sample each); allowed: a fraction "
                                "that holds out at most 9 samples, i.e. 0 <= validation <= 0.75")
    build_problem({**config, "validation": 0.75})  # the largest allowed fraction builds


def test_data_the_classifier_refuses_anyway_is_named_before_the_split(tmp_path):
    labels = list(range(30))  # 30 distinct targets: too many classes, which is the real mistake
    config = validate({"problem": "mlp", "hidden": [3], "data": _csv(tmp_path, labels), "validation": 0.5,
                       "steps": 2})
    with pytest.raises(ConfigError, match="2 to 20 class labels"):
        build_problem(config)


def test_a_regression_split_is_the_plain_permutation():
    config = validate({"problem": "linear_regression", "validation": 0.25,
                       "data": {"name": "linear", "n_samples": 20, "seed": 4}})
    _, held = build_problem(config).split
    assert np.array_equal(held, np.sort(np.random.default_rng(4).permutation(20)[:5]))
