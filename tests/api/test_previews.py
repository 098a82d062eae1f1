"""Previews that store nothing: counts of a spec, figures of a spec with weights (or a seed), one
neuron's figure, the forward pass of a spec. Each equals what the stored-network path gives."""

import pytest

from app import viz
from app.nn import LayerSpec, Network, NetworkSpec, make_dataset

from .conftest import field_of

TWO_D = {"input_dim": 2, "hidden": [{"units": 4, "activation": "tanh"}], "output_dim": 3}


def network_ids(client) -> set[str]:
    return {network["id"] for network in client.get("/api/networks").json()}


@pytest.mark.parametrize("hidden", [
    [],
    [{"units": 4, "activation": "relu"}],
    [{"units": 4}, {"units": 4}],
    [{"units": 5, "activation": "maxout", "pieces": 3}, {"units": 7, "activation": "prelu", "slope": 0.1}],
    [{"units": 3, "activation": "maxout", "pieces": 1}, {"units": 2, "activation": "leaky_relu"}],
])
def test_counts_of_a_spec_equal_the_built_networks(client, hidden):
    body = {"input_dim": 3, "hidden": hidden, "output_dim": 2}
    response = client.post("/api/networks/counts", json=body)
    assert response.status_code == 200, response.text
    layers = tuple(LayerSpec(**layer) for layer in hidden)
    assert response.json() == Network(NetworkSpec(3, layers, 2)).counts()


def test_counts_of_the_notes_examples_and_errors(client):
    notes = client.post("/api/networks/counts", json={"input_dim": 3, "hidden": [{"units": 4}], "output_dim": 2})
    assert notes.json() == {"layers": 2, "neurons": 6, "weights": 20, "biases": 6, "slopes": 0, "parameters": 26}
    assert field_of(client.post("/api/networks/counts", json={"hidden": [], "output_dim": 2})) == ["input_dim"]
    too_wide = {"input_dim": 3, "hidden": [{"units": 257}], "output_dim": 2}
    assert field_of(client.post("/api/networks/counts", json=too_wide)) == ["hidden[0].units"]


@pytest.mark.parametrize(("kind", "query", "options"), [
    ("topology", "", {}),
    ("decision-boundary", "?grid=30", {"grid": 30}),
    ("neurons", "?grid=20", {"grid": 20}),
    ("hidden-space", "?layer=2", {"layer": 2}),
    ("forward", "?input=0.5,-1", {"input": [0.5, -1]}),
])
def test_a_figure_of_spec_and_weights_equals_the_stored_networks(client, trained, kind, query, options):
    exported = client.get(f"/api/networks/{trained['network_id']}/export").json()
    stored = client.get(f"/api/networks/{trained['network_id']}/figures/{kind}{query}")
    body = {"spec": exported["spec"], "weights": exported["weights"], "data": exported["data"], **options}
    unstored = client.post(f"/api/figures/{kind}", json=body)
    assert stored.status_code == unstored.status_code == 200, unstored.text
    assert unstored.json() == stored.json()


def test_a_seed_initialises_like_a_created_network(client):
    created = client.post("/api/networks", json=TWO_D | {"seed": 5}).json()
    stored = client.get(f"/api/networks/{created['id']}/figures/topology").json()
    assert client.post("/api/figures/topology", json={"spec": TWO_D, "seed": 5}).json() == stored
    assert client.post("/api/figures/topology", json={"spec": TWO_D, "seed": 6}).json() != stored
    client.delete(f"/api/networks/{created['id']}")


def test_the_forward_pass_of_spec_and_weights_equals_the_stored_networks(client, trained):
    exported = client.get(f"/api/networks/{trained['network_id']}/export").json()
    stored = client.post(f"/api/networks/{trained['network_id']}/forward", json={"input": [0.3, -0.7]}).json()
    body = {"spec": exported["spec"], "weights": exported["weights"], "input": [0.3, -0.7]}
    assert client.post("/api/networks/forward", json=body).json() == stored
    seeded = client.post("/api/networks/forward", json={"spec": {"input_dim": 3, "hidden": [{"units": 4},
                                                                 {"units": 4}], "output_dim": 1, "loss": "mse"},
                                                        "seed": 0, "input": [1, 2, 3]})
    assert [layer["W_shape"] for layer in seeded.json()["layers"]] == [[4, 3], [4, 4], [1, 4]]


def test_weights_that_do_not_fit_the_spec_are_422s_naming_the_field(client, trained):
    exported = client.get(f"/api/networks/{trained['network_id']}/export").json()
    base = {"spec": exported["spec"], "weights": exported["weights"], "data": exported["data"]}
    wrong_shape = base | {"weights": exported["weights"] | {"W1": [[1.0, 2.0]]}}
    assert field_of(client.post("/api/figures/decision-boundary", json=wrong_shape)) == ["weights.W1"]
    missing = base | {"weights": {k: v for k, v in exported["weights"].items() if k != "b2"}}
    response = client.post("/api/figures/topology", json=missing)
    assert field_of(response) == ["weights"] and "b2" in response.text
    unknown = base | {"weights": exported["weights"] | {"W9": [[1.0]]}}
    assert field_of(client.post("/api/figures/topology", json=unknown)) == ["weights"]
    text = base | {"weights": exported["weights"] | {"b1": ["a"] * 16}}
    assert field_of(client.post("/api/figures/topology", json=text)) == ["weights.b1"]
    assert client.post("/api/figures/topology", json=base | {"seed": 1}).status_code == 422  # weights or seed
    forward = {"spec": exported["spec"], "weights": wrong_shape["weights"], "input": [0.0, 0.0]}
    assert field_of(client.post("/api/networks/forward", json=forward)) == ["weights.W1"]


def test_figure_requests_that_cannot_be_drawn(client):
    no_data = client.post("/api/figures/decision-boundary", json={"spec": TWO_D})
    assert field_of(no_data) == ["data"] and "data spec" in no_data.text
    misfit = {"spec": TWO_D | {"input_dim": 3}, "data": {"name": "spiral"}}
    assert field_of(client.post("/api/figures/decision-boundary", json=misfit)) == ["spec.input_dim"]
    three_inputs = client.post("/api/figures/neurons", json={"spec": TWO_D | {"input_dim": 3}})
    assert field_of(three_inputs) == ["kind"]
    assert client.post("/api/figures/training", json={"spec": TWO_D}).status_code == 422  # needs a history
    wrong_input = client.post("/api/figures/forward", json={"spec": TWO_D, "input": [1, 2, 3]})
    assert field_of(wrong_input) == ["input"]
    bad_point = {"spec": TWO_D, "data": {"name": "spiral", "points": [[0.0, 0.0, 3]]}}
    assert field_of(client.post("/api/figures/decision-boundary", json=bad_point)) == ["data.points[0]"]


def test_the_neuron_figure_is_the_builders(client):
    body = {"w1": 1.5, "w2": -0.5, "b": 0.25, "activation": "tanh", "grid": 30,
            "data": {"name": "gauss", "classes": 2, "n_per_class": 20}}
    response = client.post("/api/figures/neuron", json=body)
    assert response.status_code == 200, response.text
    data = make_dataset("gauss", classes=2, n_per_class=20, noise=0.2, seed=0, test_fraction=0.0)
    expected = viz.figure_json(viz.neuron_figure((1.5, -0.5), 0.25, "tanh", data, grid=30))
    assert response.text == expected
    plain = client.post("/api/figures/neuron", json={"w1": 1.0, "w2": 1.0, "b": 0.0})
    assert plain.json()["data"][0]["type"] == "heatmap" and "σ" in plain.json()["layout"]["title"]["text"]
    assert field_of(client.post("/api/figures/neuron", json=body | {"activation": "maxout"})) == ["activation"]
    assert field_of(client.post("/api/figures/neuron", json=body | {"data": {"name": "sine"}})) == ["data"]
    assert field_of(client.post("/api/figures/neuron", json=body | {"w1": 1e9})) == ["w1"]


def test_the_pages_previews_store_no_network(client, trained):
    """What the One-neuron and Architecture pages call as you move a slider or type."""
    exported = client.get(f"/api/networks/{trained['network_id']}/export").json()
    before = network_ids(client)
    linear = {"input_dim": 2, "hidden": [], "output_dim": 1, "loss": "logistic"}
    data = {"name": "moons", "n_per_class": 30, "points": [[0.1, 0.2, 1]]}
    arch = {"input_dim": 3, "hidden": [{"units": 4}, {"units": 4}], "output_dim": 1, "loss": "mse"}
    calls = [
        ("/api/figures/neuron", {"w1": 0.3, "w2": -1.0, "b": 0.5, "data": data}),
        ("/api/figures/decision-boundary", {"spec": linear, "weights": {"W1": [[0.3], [-1.0]], "b1": [0.5]},
                                            "data": data, "grid": 40}),
        ("/api/networks/counts", arch),
        ("/api/figures/topology", {"spec": arch, "seed": 3}),
        ("/api/networks/forward", {"spec": arch, "seed": 3, "input": [1, 2, 3]}),
        ("/api/figures/forward", {"spec": arch, "seed": 3, "input": [1, 2, 3]}),
        ("/api/figures/hidden-space", {"spec": exported["spec"], "weights": exported["weights"],
                                       "data": exported["data"]}),
        ("/api/datasets/preview", data),
    ]
    for path, body in calls:
        response = client.post(path, json=body)
        assert response.status_code == 200, (path, response.text)
    assert network_ids(client) == before
