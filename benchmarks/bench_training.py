"""Training speed on the spiral case study: 2-100-3 ReLU, softmax, L2 1e-3, full-batch SGD lr 1.0,
0.01·randn init, 10,000 steps. Prints microseconds per step for nnviz's trainer and, on the same
work, scikit-learn's MLPClassifier (full-batch SGD, no momentum, no early stopping), and the ratio.

    python benchmarks/bench_training.py [--steps 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from app.nn import LayerSpec, Network, NetworkSpec, TrainConfig, make_dataset, train


def nnviz_run(steps: int) -> tuple[float, float]:
    data = make_dataset("spiral")
    net = Network(NetworkSpec(2, (LayerSpec(100, "relu"),), 3, "softmax", "small"), seed=0)
    t0 = time.perf_counter()
    result = train(net, data, TrainConfig(learning_rate=1.0, reg_strength=1e-3, steps=steps))
    return (time.perf_counter() - t0) / steps * 1e6, result.metrics["train_accuracy"]


def sklearn_run(steps: int) -> tuple[float, float] | None:
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        return None
    data = make_dataset("spiral")
    n = len(data.y_train)
    model = MLPClassifier(
        hidden_layer_sizes=(100,), activation="relu", solver="sgd", learning_rate_init=1.0,
        alpha=1e-3 * n,  # sklearn divides its L2 term by the number of samples
        batch_size=n, max_iter=steps, momentum=0.0, nesterovs_momentum=False, shuffle=False,
        tol=0.0, n_iter_no_change=steps + 1, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t0 = time.perf_counter()
        model.fit(data.X_train, data.y_train)
        seconds = time.perf_counter() - t0
    return seconds / model.n_iter_ * 1e6, float(np.mean(model.predict(data.X_train) == data.y_train))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()
    ours = min(nnviz_run(args.steps) for _ in range(args.repeat))
    print(f"nnviz   trainer    steps={args.steps} us_per_step={ours[0]:.1f} train_acc={ours[1]:.3f}")
    theirs = sklearn_run(args.steps)
    if theirs is None:
        print("sklearn MLPClassifier: not installed (pip install -e '.[bench]')")
        return
    theirs = min([theirs] + [sklearn_run(args.steps) for _ in range(args.repeat - 1)])
    print(f"sklearn MLPClassifier steps={args.steps} us_per_step={theirs[0]:.1f} train_acc={theirs[1]:.3f}")
    print(f"ratio sklearn/nnviz = {theirs[0] / ours[0]:.2f}x")


if __name__ == "__main__":
    main()
