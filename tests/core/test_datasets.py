"""Seeded generators and CSV loading with line-numbered errors."""

import re

import numpy as np
import pytest

from gd_core import GENERATORS, ConfigError, load_csv
from gd_core.datasets import MAX_CSV_BYTES, generate


@pytest.mark.parametrize("name", GENERATORS)
def test_generators_are_seeded(name):
    a, b, c = generate(name, **{p.name: p.default for p in GENERATORS[name].params}), None, None
    b = generate(name, **{p.name: p.default for p in GENERATORS[name].params})
    c = generate(name, **{**{p.name: p.default for p in GENERATORS[name].params}, "seed": 1})
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)
    assert a.n_samples == 200 and np.all(np.isfinite(a.X))


@pytest.mark.parametrize("name", GENERATORS)
def test_generator_titles_state_no_number_a_setting_can_change(name):
    # "Spiral arms (3 classes)" stood in the data box of lesson 16's five arms: the numbers are the settings'
    assert not re.search(r"\d", GENERATORS[name].title), GENERATORS[name].title


@pytest.mark.parametrize("name", ["blobs", "moons", "circles"])
def test_classification_data_has_balanced_binary_labels(name):
    data = generate(name, n_samples=101, noise=0.1, seed=0)
    assert set(np.unique(data.y)) == {0.0, 1.0} and abs(data.y.sum() - 50.5) <= 0.5


def test_linear_data_follows_its_model():
    data = generate("linear", n_samples=5000, noise=0.0, seed=0, n_features=1)
    np.testing.assert_allclose(data.y, 2 * data.X[:, 0] + 1, rtol=1e-12)


def test_csv_loads_features_and_last_column_target(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("\ufeffheight, age ,price\n1,2,3\n\n4,5,6\n")
    data = load_csv(path)
    assert data.feature_names == ("height", "age") and data.target_name == "price"
    np.testing.assert_array_equal(data.X, [[1, 2], [4, 5]])
    np.testing.assert_array_equal(data.y, [3, 6])


@pytest.mark.parametrize("content,message", [
    ("", "is empty"),
    ("\n\n", "is empty"),
    ("a\n1\n", "line 1: the header has 1 column"),
    ("a,b\n", "has a header but no data rows"),
    ("a,b\n1,2\n3\n", "line 3: 1 values separated by commas, but the header has 2 columns"),
    ("a,b\n1,2\n3,4,5\n", "line 3: 3 values"),
    ("a,b\n1,2\n3,x\n", "line 3, column 'b': 'x' is not a number"),
    ("a,b\n1,nan\n", "line 2, column 'b': nan is not allowed"),
    ("a,b\n1,2\n\n\ninf,2\n", "line 5, column 'a': inf is not allowed"),
])
def test_bad_csv_files_are_refused_with_the_line(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message) as info:
        load_csv(path)
    assert info.value.key == "data.path"


def test_binary_missing_and_huge_files(tmp_path):
    (tmp_path / "bin.csv").write_bytes(b"a,b\n\x00\x01\x02")
    with pytest.raises(ConfigError, match="not a text file"):
        load_csv(tmp_path / "bin.csv")
    (tmp_path / "latin.csv").write_bytes(b"a,b\n1,\xe9\n")
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        load_csv(tmp_path / "latin.csv")
    with pytest.raises(ConfigError, match="cannot read"):
        load_csv(tmp_path / "missing.csv")
    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:
        fh.truncate(MAX_CSV_BYTES + 1)
    with pytest.raises(ConfigError, match="the limit for a CSV file is 50 MiB"):
        load_csv(big)


def test_linear_scale_stretches_features_and_keeps_targets():
    plain = generate("linear", n_samples=400, noise=0.1, seed=2, n_features=2, scale=1.0)
    scaled = generate("linear", n_samples=400, noise=0.1, seed=2, n_features=2, scale=10.0)
    np.testing.assert_array_equal(plain.y, scaled.y)
    np.testing.assert_allclose(scaled.X, plain.X * [1.0, 10.0])
