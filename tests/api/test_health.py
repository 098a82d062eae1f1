from app import __version__

from .conftest import open_client


def test_health(tmp_path):
    with open_client(tmp_path, workers=1) as client:
        response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}
