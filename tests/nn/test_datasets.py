import numpy as np
import pytest

from app.nn import (
    DATASETS,
    LayerSpec,
    Network,
    NetworkSpec,
    SpecError,
    TrainConfig,
    add_points,
    load_csv,
    make_dataset,
    train,
)


def case_study_spiral(seed):
    """The case study's own code, run after np.random.seed(seed)."""
    np.random.seed(seed)
    N, D, K = 100, 2, 3
    X = np.zeros((N * K, D))
    y = np.zeros(N * K, dtype="uint8")
    for j in range(K):
        ix = range(N * j, N * (j + 1))
        r = np.linspace(0.0, 1, N)
        t = np.linspace(j * 4, (j + 1) * 4, N) + np.random.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return X, y


@pytest.mark.parametrize("seed", [0, 7])
def test_spiral_is_the_case_study_data(seed):
    X, y = case_study_spiral(seed)
    data = make_dataset("spiral", seed=seed)
    np.testing.assert_array_equal(data.X_train, X)
    np.testing.assert_array_equal(data.y_train, y)
    assert data.X_test.shape == (0, 2) and data.n_classes == 3


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_generator_is_seeded_and_shaped(name):
    info = DATASETS[name]
    a, b = make_dataset(name, seed=3, test_fraction=0.25), make_dataset(name, seed=3, test_fraction=0.25)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X, make_dataset(name, seed=4, test_fraction=0.25).X)
    n = len(a.y)
    assert len(a.y_test) == round(n * 0.25) and len(a.y_train) == n - len(a.y_test)
    assert a.task == info.task
    assert np.all(np.isfinite(a.X))
    if info.task == "classification":
        assert set(np.unique(a.y)) == set(range(a.n_classes))
        assert a.input_dim == 2
    assert np.abs(a.X).max() < 3


def test_points_classes_and_noise_parameters():
    data = make_dataset("gauss", n_per_class=30, classes=4, noise=0.0)
    assert len(data.y) == 120 and data.n_classes == 4
    assert len(np.unique(data.X, axis=0)) == 4  # no noise: every point on its class centre
    assert make_dataset("sine", n_points=33).X.shape == (33, 1)
    for call, field, message in [
        (lambda: make_dataset("circle", classes=3), "classes", "data set 'circle' takes no classes"),
        (lambda: make_dataset("swirl"), "name", "unknown data set 'swirl'"),
        (lambda: make_dataset("xor", noise=-1), "noise", "must be a finite number >= 0"),
        (lambda: make_dataset("spiral", n_per_class=0), "n_per_class", "must be an integer >= 1"),
        (lambda: make_dataset("moons", test_fraction=1.0), "test_fraction", "must be in [0, 1)"),
    ]:
        with pytest.raises(SpecError) as info:
            call()
        assert info.value.field == field and info.value.message.startswith(message)


def test_linear_data_is_separable_and_spiral_is_not():
    def fit_linear(data):
        net = Network(NetworkSpec(2, (), data.n_classes), seed=0)
        return train(net, data, TrainConfig(learning_rate=5.0, reg_strength=0, steps=2000)).metrics["train_accuracy"]

    assert fit_linear(make_dataset("linear")) == 1.0
    assert fit_linear(make_dataset("spiral")) < 0.6


def test_a_hidden_layer_fits_the_nonlinear_sets():
    for name in ("circle", "xor", "moons"):
        net = Network(NetworkSpec(2, (LayerSpec(16, "relu"),), 2, init="he"), seed=0)
        result = train(net, make_dataset(name), TrainConfig(optimizer="adam", learning_rate=0.02, steps=600))
        assert result.metrics["train_accuracy"] > 0.93, name


def test_csv_loads_with_header_and_named_labels():
    data = load_csv("x1,x2,label\n0.1,0.2,cat\n-1,2,dog\n\n3,4,cat\n")
    np.testing.assert_array_equal(data.X_train, [[0.1, 0.2], [-1, 2], [3, 4]])
    np.testing.assert_array_equal(data.y_train, [0, 1, 0])
    assert data.class_names == ["cat", "dog"] and data.n_classes == 2


def test_csv_numeric_labels_sort_numerically_and_regression():
    data = load_csv("0,0,10\n1,1,2\n2,2,10\n")
    assert data.class_names == ["2", "10"]
    np.testing.assert_array_equal(data.y_train, [1, 0, 1])
    reg = load_csv("0,0,0.5\n1,1,-2\n", task="regression")
    np.testing.assert_array_equal(reg.y_train, [0.5, -2.0])
    old_mac = load_csv("0,0,a\r1,1,b\r\n2,2,a")  # any line break ends a row
    np.testing.assert_array_equal(old_mac.y_train, [0, 1, 0])


@pytest.mark.parametrize("text, message", [
    ("0,0,a\n1,1\n", "line 2: expected 3 values"),
    ("0,0,a\n1,x,b\n", "line 2: x1 and x2 must be numbers"),
    ("0,0,a\n1,nan,b\n", "line 2: x1 and x2 must be finite"),
    ("0,0,a\n1,1, \n", "line 2: the label is empty"),
    ("0,0,a\n1,1,a\n", "at least 2 distinct labels"),
    ("x1,x2,label\n", "at least 2 data rows"),
    ("0,0,a\n1,1,b\n2,2,a\n", "line 3: more than 2 rows"),
])
def test_csv_errors_name_the_line(text, message):
    with pytest.raises(ValueError, match=message):
        load_csv(text, max_rows=2 if "more than" in message else 10_000)


def test_added_points_join_the_training_set_in_order():
    data = make_dataset("gauss", n_per_class=10, classes=3, test_fraction=0.2)
    added = add_points(data, [[0.5, -0.25, 2], [0.0, 1.0, 0.0]])
    assert np.array_equal(added.X_train, np.vstack([data.X_train, [[0.5, -0.25], [0.0, 1.0]]]))
    assert added.y_train.tolist() == [*data.y_train.tolist(), 2, 0] and added.y_train.dtype == data.y_train.dtype
    assert np.array_equal(added.X_test, data.X_test) and np.array_equal(added.y_test, data.y_test)
    assert added.n_classes == 3 and len(data.y_train) == 24  # the original is left alone
    assert add_points(data, []) is data
    sine = add_points(make_dataset("sine", n_points=5), [[0.3, 2.5]])
    assert sine.X_train[-1].tolist() == [0.3] and sine.y_train[-1] == 2.5


@pytest.mark.parametrize("points, message", [
    ([[0.0, 0.0, 0], [1.0, 2.0]], r"points\[1\]: needs 3 numbers"),
    ([[0.0, float("nan"), 0]], r"points\[0\]: must hold finite numbers"),
    ([[0.0, 0.0, "a"]], r"points\[0\]: must hold finite numbers"),
    ([[0.0, 1e7, 0]], r"points\[0\]: must hold finite numbers from -1e\+06 to 1e\+06"),
    ([[0.0, 0.0, 0], [-1e308, 0.0, 1]], r"points\[1\]: must hold finite numbers from -1e\+06 to 1e\+06"),
    ([[0.0, 0.0, 2]], r"points\[0\]: the label must be a class index from 0 to 1"),
    ([[0.0, 0.0, 0.5]], r"points\[0\]: the label must be a class index"),
    ([[0.0, 0.0, -1]], r"points\[0\]: the label must be a class index"),
])
def test_added_points_are_checked(points, message):
    with pytest.raises(ValueError, match=message):
        add_points(make_dataset("xor", n_per_class=5), points)


@pytest.mark.parametrize("text", ["x1;x2;label\n0.5;1.0;a\n0.1;2;b\n", "0,5;1,0;a\n0,1;2,0;b\n", "1\t2\ta\n3\t4\tb\n"])
def test_a_csv_with_another_separator_gets_a_hint(text):
    with pytest.raises(SpecError) as error:
        load_csv(text)
    separator = "tabs" if "\t" in text else "semicolons"
    assert error.value.message.startswith("line ") and f"separated by {separator}" in error.value.message


def test_a_short_row_without_another_separator_gets_no_hint():
    with pytest.raises(SpecError) as error:
        load_csv("x1,x2,label\n0.5,1.0,a\n0.1,oops\n")
    assert error.value.message == "line 3: expected 3 values (x1, x2, label), got 2"
