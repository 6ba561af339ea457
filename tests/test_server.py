"""The HTTP service: FastAPI's TestClient for the endpoints, one real uvicorn on a free localhost port."""
import socket
import threading
import time

import pytest

pytest.importorskip("fastapi", reason="the HTTP service needs FastAPI (entityres[server])")
pytest.importorskip("uvicorn", reason="the HTTP service needs uvicorn (entityres[server])")
httpx = pytest.importorskip("httpx", reason="the service tests call it with httpx")
from fastapi.testclient import TestClient  # noqa: E402

from entityres import Resolver  # noqa: E402
from entityres.integrations.server import create_app  # noqa: E402


@pytest.fixture(scope="module")
def resolver():
    return Resolver()


@pytest.fixture(scope="module")
def client(resolver):
    return TestClient(create_app(resolver, max_bytes=20_000))


def test_resolve_one_text(client):
    r = client.post("/resolve", json={"text": "پوتین در مسکو با ترامپ دیدار کرد", "lang": "fa", "id": "d1"})
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == "d1" and body["lang"] == "fa"
    assert [m["entity_id"] for m in body["mentions"]] == ["person:vladimir-putin", "place:moscow", "person:donald-trump"]
    assert body["mentions"][0]["start"] == 0 and body["mentions"][0]["end"] == 5


def test_resolve_a_batch_reports_failures_in_place(client):
    docs = [{"id": "a", "text": "وصل ترامب إلى الرياض"}, {"id": "b", "text": "متن", "lang": "fa"}]
    r = client.post("/resolve", json={"documents": docs})
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["id"] for x in results] == ["a", "b"] and results[0]["lang"] == "ar"


def test_bad_input_gets_clear_4xx(client):
    r = client.post("/resolve", json={"text": "x", "lang": "zz"})
    assert r.status_code == 422 and "lang must be" in r.text
    assert client.post("/resolve", json={}).status_code == 422
    assert client.post("/resolve", json={"text": "x", "documents": []}).status_code == 422
    assert client.post("/resolve", content=b"{not json", headers={"content-type": "application/json"}).status_code == 422
    r = client.post("/resolve", json={"text": "پوتین " * 5000})
    assert r.status_code == 413 and "20000 bytes" in r.json()["detail"]
    assert client.get("/match").status_code == 422  # no name
    assert client.get("/match", params={"name": "x", "limit": 0}).status_code == 422
    assert client.get("/match", params={"name": "x" * 501}).status_code == 422


def test_match_get_and_post(client):
    r = client.get("/match", params={"name": "ترامپ", "lang": "fa"})
    assert r.status_code == 200 and r.json()["matches"][0]["id"] == "person:donald-trump"
    r = client.post("/match", json={"names": ["بوتين", "Moscow"], "limit": 1})
    assert [x["matches"][0]["id"] for x in r.json()["results"]] == ["person:vladimir-putin", "place:moscow"]


def test_entities_health_and_openapi(client, resolver):
    r = client.get("/entities/person:donald-trump")
    assert r.status_code == 200 and r.json()["name"] == "Donald Trump" and r.json()["wikidata"] == "Q22686"
    r = client.get("/entities/person:nobody")
    assert r.status_code == 404 and "person:nobody" in r.json()["detail"]
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["entries"] == len(resolver.gazetteer)
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/resolve", "/match", "/entities/{entity_id}", "/health"} <= set(paths)


def test_real_socket(resolver):
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(resolver), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(300):
            if server.started:
                break
            time.sleep(0.1)
        assert server.started, "uvicorn did not start"
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
            assert http.get("/health").json()["status"] == "ok"
            r = http.post("/resolve", json={"text": "وصل ترامب إلى الرياض"})
            assert {m["entity_id"] for m in r.json()["mentions"]} == {"person:donald-trump", "place:riyadh"}
    finally:
        server.should_exit = True
        thread.join(timeout=30)
