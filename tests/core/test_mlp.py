"""The MLP problem: analytic backpropagation against finite differences, layout, batching, PyTorch parity."""

import numpy as np
import pytest

import gd_core
from gd_core import ConfigError, build_problem, validate

from .test_gradients import assert_grad_matches

CASES = [
    ({"name": "moons", "n_samples": 30}, [5], "tanh"),
    ({"name": "circles", "n_samples": 25}, [4, 3], "sigmoid"),
    ({"name": "spiral", "n_samples": 33}, [6], "relu"),
    ({"name": "spiral", "n_samples": 20, "n_classes": 4}, [3, 4], "tanh"),
]


def make(data, hidden, activation, init_seed=0):
    return build_problem(validate({"problem": "mlp", "data": data, "hidden": hidden, "activation": activation,
                                   "init_seed": init_seed}))


@pytest.mark.parametrize("data,hidden,activation", CASES)
def test_backprop_matches_finite_differences(data, hidden, activation):
    problem = make(data, hidden, activation)
    rng = np.random.default_rng(1)
    idx = np.array([0, 2, 2, 5, 7])
    for _ in range(3):
        x = problem.default_init + 0.5 * rng.standard_normal(problem.n_params)
        if activation == "relu":  # keep away from the kinks, where the derivative jumps
            x = x + 0.01
        assert_grad_matches(lambda p: problem.loss_and_grad(p, None), x, rtol=1e-5, atol=1e-6)
        assert_grad_matches(lambda p: problem.loss_and_grad(p, idx), x, rtol=1e-5, atol=1e-6)


def test_layout_and_names():
    problem = make({"name": "spiral", "n_samples": 30}, [4, 3], "tanh")
    names = problem.param_names
    assert names[:5] == ("W1[0,0]", "W1[0,1]", "W1[0,2]", "W1[0,3]", "W1[1,0]")
    assert names[8:12] == ("b1[0]", "b1[1]", "b1[2]", "b1[3]") and names[12] == "W2[0,0]"
    assert problem.n_params == 2 * 4 + 4 + 4 * 3 + 3 + 3 * 3 + 3 and names[-1] == "b3[2]"
    binary = make({"name": "moons", "n_samples": 30}, [8], "tanh")
    assert binary.n_params == 2 * 8 + 8 + 8 + 1 and binary.param_names[-1] == "b2[0]"


def test_default_start_is_seeded_glorot_with_zero_biases():
    a, b = make({"name": "moons"}, [8], "tanh"), make({"name": "moons"}, [8], "tanh", init_seed=1)
    np.testing.assert_array_equal(a.default_init, make({"name": "moons"}, [8], "tanh").default_init)
    assert not np.array_equal(a.default_init, b.default_init)
    w1 = a.default_init[:16]
    assert np.abs(w1).max() <= np.sqrt(6 / 10) and np.all(a.default_init[16:24] == 0)


@pytest.mark.parametrize("data,hidden,activation", CASES)
def test_many_runs_and_one_batch_per_run(data, hidden, activation):
    problem = make(data, hidden, activation)
    rng = np.random.default_rng(0)
    P = problem.default_init + 0.3 * rng.standard_normal((3, problem.n_params))
    for idx in (None, np.array([1, 3, 4]), np.array([[0, 1, 2], [3, 4, 5], [6, 6, 7]])):
        losses, grads = problem.loss_and_grad(P, idx)
        for k in range(3):
            row = None if idx is None else (idx if idx.ndim == 1 else idx[k])
            loss, grad = problem.loss_and_grad(P[k], row)
            assert losses[k] == pytest.approx(loss, rel=1e-12)
            np.testing.assert_allclose(grads[k], grad, rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(problem.grid_loss(P[None]), problem.full_loss(P)[None], rtol=1e-12)


def test_run_many_equals_run_for_mlp():
    configs = [{"problem": "mlp", "data": {"name": "spiral", "n_samples": 60}, "hidden": [6], "batch_size": 8,
                "steps": 60, "seed": s, "optimizer": {"name": "adam", "lr": lr}} for s, lr in ((0, 0.01), (1, 0.05))]
    for got, expected in zip(gd_core.run_many(configs), map(gd_core.run, configs)):
        np.testing.assert_allclose(got.params, expected.params, rtol=1e-10, atol=1e-12)


def test_training_separates_the_moons():
    history = gd_core.run({"problem": "mlp", "variant": "batch", "optimizer": {"name": "adam", "lr": 0.05},
                           "steps": 400})
    problem = make({"name": "moons"}, [8], "tanh")
    accuracy = np.mean((problem.class_probabilities(history.params[-1], problem.X) > 0.5) == problem.labels)
    assert accuracy > 0.97 and history.loss[-1] < 0.1 * history.loss[0]


@pytest.mark.parametrize("config,key,text", [
    ({"problem": "mlp", "hidden": []}, "hidden", "must be a list of 1 to 4 integers in [1, 256]"),
    ({"problem": "mlp", "hidden": [0]}, "hidden", "must be a list of 1 to 4 integers"),
    ({"problem": "mlp", "hidden": 8}, "hidden", "must be a list"),
    ({"problem": "mlp", "activation": "gelu"}, "activation", "must be one of tanh, relu, sigmoid"),
    ({"problem": "mlp", "data": "linear"}, "data.name", "mlp needs classification data"),
    ({"hidden": [8]}, "hidden", "is a setting of problem mlp, not of linear_regression"),
])
def test_mlp_config_errors(config, key, text):
    with pytest.raises(ConfigError, match=text.replace("[", r"\[").replace("]", r"\]")) as info:
        gd_core.resolve(config)
    assert info.value.key == key


def test_regression_targets_are_refused(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,y\n" + "\n".join(f"{i},{i * 0.37}" for i in range(30)) + "\n")
    with pytest.raises(ConfigError, match="2 to 20 class labels; this data has 30"):
        gd_core.resolve({"problem": "mlp", "data": {"name": "csv", "path": str(path)}})


@pytest.mark.parametrize("data,hidden,activation", CASES)
def test_full_batch_trajectory_equals_pytorch(data, hidden, activation):
    torch = pytest.importorskip("torch")  # here, not at module level: the other tests run without torch
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        problem = make(data, hidden, activation)
        init = problem.default_init + 0.2
        config = {"problem": "mlp", "data": data, "hidden": hidden, "activation": activation, "variant": "batch",
                  "optimizer": {"name": "momentum", "lr": 0.1}, "steps": 40, "init": list(init)}
        ours = gd_core.run(config).params
        act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid}[activation]
        layers = []
        for w, b, fan_in, fan_out in problem.layers:
            linear = torch.nn.Linear(fan_in, fan_out)
            with torch.no_grad():
                linear.weight.copy_(torch.tensor(init[w].reshape(fan_in, fan_out).T))
                linear.bias.copy_(torch.tensor(init[b]))
            layers += [linear, act()]
        net = torch.nn.Sequential(*layers[:-1])
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        X = torch.tensor(problem.X)
        if problem.n_out == 1:
            loss_fn, y = torch.nn.BCEWithLogitsLoss(), torch.tensor(problem.labels, dtype=torch.float64)[:, None]
        else:
            loss_fn, y = torch.nn.CrossEntropyLoss(), torch.tensor(problem.labels)
        expected = []
        for _ in range(40):
            optimizer.zero_grad()
            loss_fn(net(X), y).backward()
            optimizer.step()
            flat = []
            for linear in layers[::2]:
                flat += [linear.weight.detach().T.reshape(-1), linear.bias.detach()]
            expected.append(torch.cat(flat).numpy().copy())
        np.testing.assert_allclose(ours[1:], np.array(expected), rtol=1e-9, atol=1e-12)
    finally:
        torch.set_default_dtype(previous)
