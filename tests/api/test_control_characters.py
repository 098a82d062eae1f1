"""NUL and other control characters in names, CSV labels and ids: the same clear answer on SQLite
and on PostgreSQL (which cannot keep NUL in text at all), never a 500."""

import pytest

from tests.postgres import new_database

from .conftest import field_of, open_client

NAME_ERROR = "must be one line of text, without control characters (such as NUL, tabs or line breaks)"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def client(request, tmp_path_factory):
    url = new_database(request.getfixturevalue("postgres")) if request.param == "postgresql" else ""
    with open_client(tmp_path_factory.mktemp("control"), workers=1, database_url=url) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def network_id(client) -> str:
    return client.post("/api/networks", json={"input_dim": 2, "output_dim": 2}).json()["id"]


@pytest.mark.parametrize("name", ["a\x00b", "two\nlines", "tab\there", "escape\x1b[31m", "del\x7f"])
def test_a_name_with_a_control_character_is_a_422_naming_the_field(client, network_id, name):
    for response in (client.post("/api/networks", json={"input_dim": 2, "output_dim": 2, "name": name}),
                     client.patch(f"/api/networks/{network_id}", json={"name": name})):
        assert response.status_code == 422, response.text
        assert field_of(response) == ["name"]
        assert response.json()["detail"][0]["msg"] == NAME_ERROR
    exported = client.get(f"/api/networks/{network_id}/export").json()
    assert field_of(client.post("/api/networks/import", json=exported | {"name": name})) == ["name"]


def test_ordinary_names_are_kept_as_they_are(client, network_id):
    name = 'Spiral <b>3</b> & "friends" – 螺旋 %{x}'
    assert client.patch(f"/api/networks/{network_id}", json={"name": name}).json()["name"] == name
    assert client.get(f"/api/networks/{network_id}").json()["name"] == name


@pytest.mark.parametrize("csv", [b"0,0,a\x00\n1,1,b\n", b"x\x00,y,label\n0,0,a\n1,1,b\n", b"0,0,a\n1,1,b\x1b\n"])
def test_a_csv_with_a_control_character_is_a_422_naming_the_file(client, csv):
    response = client.post("/api/datasets", files={"file": ("d.csv", csv)}, data={"task": "classification"})
    assert response.status_code == 422, response.text
    assert field_of(response) == ["file"]
    assert "control character" in response.json()["detail"][0]["msg"]


def test_a_csv_with_tabs_and_any_letters_is_still_read(client):
    csv = "x1,x2,label\n0,0,\tchat \n1,1,Hund\n0,1,猫\n".encode()
    response = client.post("/api/datasets", files={"file": ("d.csv", csv)}, data={"task": "classification"})
    assert response.status_code == 201, response.text
    assert response.json()["class_names"] == ["Hund", "chat", "猫"]


@pytest.mark.parametrize("path", ["/api/networks/ab%00cd", "/api/networks/ab%00cd/export", "/api/jobs/ab%00cd",
                                  "/api/sweeps/ab%00cd", "/api/sweeps/ab%00cd/table.csv", "/api/shared/ab%00cd"])
def test_an_id_with_nul_names_nothing(client, path):
    response = client.get(path)
    assert response.status_code == 404, response.text


def test_a_data_set_id_with_nul_names_nothing(client, network_id):
    response = client.post("/api/networks", json={"data": {"id": "a\x00b"}})
    assert response.status_code == 404 and "no uploaded data set" in response.json()["detail"]
    token = "a\x00b"
    assert client.delete(f"/api/networks/{network_id}/share", params={"token": token}).status_code == 404
