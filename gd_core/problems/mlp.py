"""A small multilayer perceptron on a flat parameter vector, with analytic backpropagation.

Layout, layer by layer: W_l (fan_in x fan_out, row-major) then b_l, named ``W1[i,j]``, ``b1[j]``, ... so that
``nn.Linear(fan_in, fan_out)`` with ``weight = W_l.T`` and ``bias = b_l`` is the same layer. Hidden layers apply
tanh, relu or sigmoid; the output gives one logit (two classes: binary cross-entropy on logits, as torch's
BCEWithLogitsLoss) or K logits (K classes: softmax cross-entropy, as torch's CrossEntropyLoss).
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from ..spec import MAX_SEED, Param
from .base import ELEMENTWISE_WORK, Problem, ProblemSpec, check_pass_work, sigmoid

MAX_CLASSES = 20


#: activation name -> (f, f' written with z and a = f(z))
ACTIVATIONS = {
    "tanh": (np.tanh, lambda z, a: 1.0 - a * a),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(float)),
    "sigmoid": (sigmoid, lambda z, a: a * (1.0 - a)),
}


class MLP(Problem):
    """Mean cross-entropy of a fully connected network: z_0 = x, z_l = act(z_{l-1} W_l + b_l), logits at the end."""

    name = "mlp"
    _GRID_CHUNK = 256  # grid points evaluated together (each pass is vectorised over all samples)

    def __init__(self, dataset, hidden, activation, init_seed, classes=None):
        classes = np.unique(dataset.y) if classes is None else classes
        if not 2 <= len(classes) <= MAX_CLASSES:
            raise ConfigError("data", f"mlp classifies: the target must hold 2 to {MAX_CLASSES} class labels; "
                                      f"this data has {len(classes)} distinct target values")
        self.dataset = dataset
        self.classes = classes
        self.labels = np.searchsorted(classes, dataset.y)  # 0..K-1
        self.hidden, self.init_seed = hidden, init_seed
        self.n_classes = len(classes)
        self.X = dataset.X
        self.n_samples = len(self.labels)
        self.n_out = 1 if self.n_classes == 2 else self.n_classes
        sizes = [dataset.n_features, *hidden, self.n_out]
        weights = sum(fan_in * fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))
        per_sample = weights + ELEMENTWISE_WORK * sum(sizes[1:])
        self.pass_work = check_pass_work(self.n_samples, per_sample, f"the network {'-'.join(map(str, sizes))}")
        self.targets = self.labels.astype(float)[:, None] if self.n_out == 1 else np.eye(self.n_classes)[self.labels]
        self.activation = activation
        self.act, self.act_grad = ACTIVATIONS[activation]
        self.layers = []  # (W slice, b slice, fan_in, fan_out)
        names, offset = [], 0
        for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            w = slice(offset, offset + fan_in * fan_out)
            b = slice(w.stop, w.stop + fan_out)
            offset = b.stop
            self.layers.append((w, b, fan_in, fan_out))
            names += [f"W{l}[{i},{j}]" for i in range(fan_in) for j in range(fan_out)]
            names += [f"b{l}[{j}]" for j in range(fan_out)]
        self.param_names = tuple(names)
        rng = np.random.default_rng(init_seed)
        init = np.zeros(offset)
        for w, _, fan_in, fan_out in self.layers:  # Glorot uniform weights, zero biases
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            init[w] = rng.uniform(-limit, limit, fan_in * fan_out)
        self.default_init = init
        self.bounds = np.column_stack([init - 2.5, init + 2.5])
        self.minima = np.empty((0, offset))

    # -- forward and backward ----------------------------------------------------------------------------------
    @property
    def tensors(self):
        """Each layer's weight matrix W_l (fan_in x fan_out) and bias vector b_l, as nn.Linear holds them."""
        return tuple(part for w, b, fan_in, fan_out in self.layers for part in ((w, (fan_in, fan_out)), (b, None)))

    def _weights(self, P):
        """Per layer W (R, fan_in, fan_out) and b (R, 1, fan_out) as views of P (R, d)."""
        R = P.shape[0]
        return [(P[:, w].reshape(R, fi, fo), P[:, b].reshape(R, 1, fo)) for w, b, fi, fo in self.layers]

    def _forward(self, weights, X):
        """Pre-activations and activations of every layer; X is (m, p) shared or (R, m, p) per run."""
        zs, acts = [], [X]
        for l, (W, b) in enumerate(weights):
            z = acts[-1] @ W + b
            zs.append(z)
            acts.append(z if l == len(weights) - 1 else self.act(z))
        return zs, acts

    def _loss(self, logits, targets):
        """Mean cross-entropy per run and d loss / d logits (R, m, out)."""
        m = logits.shape[1]
        if self.n_out == 1:
            z, y = logits, targets
            loss = (np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z))) - y * z).sum(axis=(1, 2)) / m
            return loss, (sigmoid(z) - y) / m
        shifted = logits - logits.max(axis=2, keepdims=True)
        log_norm = np.log(np.exp(shifted).sum(axis=2, keepdims=True))
        log_p = shifted - log_norm
        loss = -(targets * log_p).sum(axis=(1, 2)) / m
        return loss, (np.exp(log_p) - targets) / m

    def _batch(self, idx):
        if idx is None:
            return self.X, self.targets
        return self.X[idx], self.targets[idx]  # (m, p) or, with one batch per run, (R, m, p)

    def loss_and_grad(self, params, idx=None):
        single = params.ndim == 1
        P = params[None, :] if single else params
        X, targets = self._batch(idx)
        weights = self._weights(P)
        zs, acts = self._forward(weights, X)
        loss, dz = self._loss(zs[-1], targets)
        grad = np.empty_like(P, dtype=float)
        for l in range(len(self.layers) - 1, -1, -1):
            w, b, fi, fo = self.layers[l]
            a_prev = acts[l]
            grad[:, w] = (np.swapaxes(a_prev, -1, -2) @ dz).reshape(P.shape[0], fi * fo)
            grad[:, b] = dz.sum(axis=1)
            if l:
                dz = (dz @ np.swapaxes(weights[l][0], 1, 2)) * self.act_grad(zs[l - 1], acts[l])
        return (loss[0], grad[0]) if single else (loss, grad)

    def per_sample_grads(self, params, idx):
        """The gradient of each sample's own cross-entropy ℓ_i (one row per index in ``idx``): backpropagation
        of the batch, keeping each sample's outer products a_(l−1),i ⊗ δ_l,i apart instead of summing them."""
        P = np.asarray(params, dtype=float)[None, :]
        X, targets = self.X[idx], self.targets[idx]
        weights = self._weights(P)
        zs, acts = self._forward(weights, X)
        m = len(idx)
        dz = self._loss(zs[-1], targets)[1][0] * m  # (m, out): d ℓ_i / d logits_i
        grads = np.empty((m, self.n_params))
        for l in range(len(self.layers) - 1, -1, -1):
            w, b, fi, fo = self.layers[l]
            a_prev = acts[l] if acts[l].ndim == 2 else acts[l][0]
            grads[:, w] = (a_prev[:, :, None] * dz[:, None, :]).reshape(m, fi * fo)
            grads[:, b] = dz
            if l:
                dz = (dz @ weights[l][0][0].T) * self.act_grad(zs[l - 1][0], acts[l][0])
        return grads

    def full_loss(self, params):
        single = params.ndim == 1
        P = params[None, :] if single else params
        zs, _ = self._forward(self._weights(P), self.X)
        loss = self._loss(zs[-1], self.targets)[0]
        return loss[0] if single else loss

    def grid_loss(self, points):
        flat = points.reshape(-1, self.n_params)
        out = np.concatenate([self.full_loss(flat[i:i + self._GRID_CHUNK])
                              for i in range(0, len(flat), self._GRID_CHUNK)])
        return out.reshape(points.shape[:-1])

    def sample_classes(self):
        return self.labels

    def on_samples(self, dataset):
        """The held-out samples keep the training samples' classes (they may lack some)."""
        return MLP(dataset, self.hidden, self.activation, self.init_seed, self.classes)

    def accuracy(self, params):
        """The fraction of samples whose largest logit (one logit: its sign) is their class (per run)."""
        single = np.ndim(params) == 1
        P = np.asarray(params, dtype=float)[None, :] if single else params
        logits = self._forward(self._weights(P), self.X)[0][-1]  # (R, n, out)
        predicted = (logits[..., 0] > 0).astype(int) if self.n_out == 1 else logits.argmax(axis=2)
        right = (predicted == self.labels).mean(axis=1)
        return right[0] if single else right

    def class_probabilities(self, params, X):
        """P(class | x) for rows of X: (m,) = P(class 1) for two classes, else (m, K)."""
        zs, _ = self._forward(self._weights(np.asarray(params, dtype=float)[None, :]), X)
        logits = zs[-1][0]
        if self.n_out == 1:
            return sigmoid(logits[:, 0])
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


MLP_SPEC = ProblemSpec(
    "mlp", "Neural network (MLP, cross-entropy)", "data",
    "L = mean cross-entropy of softmax/sigmoid(act(…act(X·W₁ + b₁)…)·W_L + b_L)",
    lambda config, dataset: MLP(dataset, config["hidden"], config["activation"], config["init_seed"]),
    params=(Param("hidden", [8], "Units in each hidden layer, e.g. [8] or [16, 8].", kind=list, low=1, high=256),
            Param("activation", "tanh", "Activation of the hidden layers.", kind=str,
                  choices=tuple(ACTIVATIONS)),
            Param("init_seed", 0, "Seed of the default start (Glorot-uniform weights, zero biases).", kind=int,
                  low=0, high=MAX_SEED)),
    default_data="moons", data_tasks=("classification",), classifies=True)
