"""The studio attacked as a hostile web page and a hostile local user would: foreign Host and
Origin, no token, paths out of the root through every route, symlinks, huge and chunked bodies,
NaN and huge numbers, GETs that would write, requests that stall or pile up."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from backline.studio.app import create_app
from backline.studio.context import Limits
from tests.studio_helpers import BASE, CHART, TOKEN, make_root, studio_client, tree

SECRET = "SECRET-OUTSIDE"
LONG = "title: Long\ntempo: 200\nsection A:\n" + "  | C | Am | F | G7 |\n" * 100 + "form: A x8\n"  # 3200 bars


@pytest.fixture()
def studio(tmp_path: object) -> Iterator[tuple[TestClient, str]]:
    base = str(tmp_path)
    root = make_root(base)
    os.symlink(os.path.join(base, "secret.chart"), os.path.join(root, "songs", "link.chart"))
    os.makedirs(os.path.join(base, "outside"))
    with open(os.path.join(base, "outside", "x.chart"), "w") as f:
        f.write(CHART.replace("Studio Song", SECRET))
    os.symlink(os.path.join(base, "outside"), os.path.join(root, "linkdir"))
    with studio_client(root) as client:
        yield client, root


def assert_private(r: object, root: str) -> None:
    text = r.text  # type: ignore[attr-defined]
    assert SECRET not in text and root not in text and os.path.dirname(root) not in text, text[:300]
    assert r.status_code != 500, text[:300]  # type: ignore[attr-defined]


# ---- Host, Origin, token -------------------------------------------------------------------------

def test_a_foreign_host_is_refused_even_with_the_token(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    evil = {"Host": "evil.example:8000", "Origin": "http://evil.example:8000"}
    r = client.put("/api/chart", json={"path": "songs/a.chart", "text": "", "version": None}, headers=evil)
    assert r.status_code == 403 and r.json()["code"] == "host"
    with open(os.path.join(root, "songs", "a.chart")) as f:
        assert f.read() == CHART  # the rebinding attack emptied this file
    for host in ("evil.example", "127.0.0.1:8001", "127.0.0.1", "127.0.0.1:8000.evil.example", "localhost.:8000"):
        assert client.get("/api/charts", headers={"Host": host}).status_code == 403, host
    for host in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST:8000"):
        assert client.get("/api/charts", headers={"Host": host, "Origin": f"http://{host.lower()}"}).status_code \
            == 200, host
    assert client.get("/static/app.js", headers={"Host": "evil.example:8000"}).status_code == 403


def test_a_foreign_or_missing_origin_cannot_change_anything(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    before = tree(root)
    version = client.get("/api/chart", params={"path": "songs/a.chart"}).json()["version"]
    save = {"path": "songs/a.chart", "text": "", "version": version}
    for origin in ("http://evil.example", "http://127.0.0.1:8001", "null", "https://127.0.0.1:8000",
                   "http://127.0.0.1:8000.evil.example"):
        r = client.put("/api/chart", json=save, headers={"Origin": origin})
        assert r.status_code == 403 and r.json()["code"] == "origin", origin
        assert client.post("/api/takes", json={"chart": "songs/a.chart"}, headers={"Origin": origin}).status_code \
            == 403
        assert client.get("/api/charts", headers={"Origin": origin}).status_code == 403
    bare = TestClient(client.app, base_url=BASE, headers={"X-Backline-Token": TOKEN})  # no Origin at all
    assert bare.put("/api/chart", json=save).status_code == 403
    assert bare.post("/api/check", json={"text": CHART}).status_code == 403
    assert bare.get("/api/charts").status_code == 200  # reading needs no Origin, only the token
    cross = client.put("/api/chart", json=save, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    assert tree(root) == before


def routes(take: str = "20260101-000000-abcdef") -> list[tuple[str, str, dict | None]]:
    """Every API route, with a harmless request; {P} marks where a path goes."""
    return [
        ("GET", "/api/charts", None), ("GET", "/api/chart?path={P}", None),
        ("PUT", "/api/chart", {"path": "{P}", "text": CHART, "version": None}),
        ("POST", "/api/charts", {"path": "{P}", "text": CHART}),
        ("POST", "/api/check", {"text": CHART}), ("POST", "/api/format", {"text": CHART}),
        ("POST", "/api/grid", {"text": CHART}), ("GET", "/api/grid?path={P}", None),
        ("POST", "/api/preview", {"text": CHART, "path": "{P}"}),
        ("GET", "/api/templates", None), ("POST", "/api/sketch", {"style": "rock"}),
        ("GET", "/api/styles", None), ("GET", "/api/info", None), ("GET", "/api/soundfont", None),
        ("POST", "/api/import?name=x.cho&folder={P}", None),
        ("GET", "/api/chart/download/chart?path={P}", None),
        ("GET", "/api/takes?chart={P}", None), ("POST", "/api/takes", {"chart": "{P}"}),
        ("GET", f"/api/takes/{take}?chart={{P}}", None),
        ("PATCH", f"/api/takes/{take}", {"chart": "{P}", "kept": True}),
        ("POST", f"/api/takes/{take}/discard", {"chart": "{P}"}),
        ("POST", f"/api/takes/{take}/restore", {"chart": "{P}"}),
        ("POST", f"/api/takes/{take}/bounce", {"chart": "{P}"}),
        ("GET", f"/api/takes/{take}/playback?chart={{P}}", None),
        ("GET", f"/api/takes/{take}/files/midi?chart={{P}}", None),
        ("GET", f"/api/takes/{take}/arrangement?chart={{P}}", None),
        ("GET", "/api/arrangement?path={P}", None),
        ("GET", "/api/albums", None), ("GET", "/api/album?path={P}", None),
        ("PUT", "/api/album/order", {"path": "{P}", "order": [0]}),
        ("GET", "/api/album/flow?path={P}", None), ("POST", "/api/album/render", {"path": "{P}"}),
        ("GET", "/api/album-files/{P}/report.html", None), ("GET", "/openapi.json", None),
        ("GET", "/api/album/download/book?path={P}", None),
    ]


def fill(value: object, path: str) -> object:
    if isinstance(value, str):
        return value.replace("{P}", path)
    if isinstance(value, dict):
        return {k: fill(v, path) for k, v in value.items()}
    return value


def send(client: TestClient, method: str, url: str, body: dict | None, path: str, **kw: object) -> object:
    from urllib.parse import quote

    return client.request(method, url.replace("{P}", quote(path, safe="/")), json=fill(body, path) if body else None,
                          content=None if body else (b"{title: x}" if method == "POST" else None), **kw)


def test_every_route_wants_the_token(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    documented = set(client.get("/openapi.json").json()["paths"])
    covered = {url.split("?")[0].replace("20260101-000000-abcdef", "{take_id}") for _, url, _ in routes()}
    covered = {"/api/takes/{take_id}/files/{kind}" if u.endswith("/files/midi") else u for u in covered}
    covered = {"/api/chart/download/{kind}" if u.endswith("/download/chart") else u for u in covered}
    covered = {"/api/album/download/{kind}" if u.endswith("/download/book") else u for u in covered}
    covered = {"/api/album-files/{rest}" if u.startswith("/api/album-files/") else u for u in covered}
    assert documented <= covered, documented - covered  # a new route must join this test
    before = tree(root)
    for token in (None, "wrong", TOKEN[:-1], TOKEN + "0"):
        headers = {"Origin": BASE} | ({"X-Backline-Token": token} if token else {})
        other = TestClient(client.app, base_url=BASE, headers=headers)
        for method, url, body in routes():
            r = send(other, method, url, body, "songs/a.chart")
            assert r.status_code == 401 and r.json()["code"] == "token", (token, method, url)  # type: ignore[attr-defined]
        assert other.get(f"/api/charts?token={TOKEN}").status_code == 401  # the API never takes it from a URL
        page = other.get("/", follow_redirects=False)
        assert page.status_code == 401 and "backline serve" in page.text and TOKEN not in page.text
    assert tree(root) == before


def test_the_printed_url_trades_its_token_for_a_strict_cookie(studio: tuple[TestClient, str]) -> None:
    client, _ = studio
    app = client.app
    assert app.state.url == f"http://127.0.0.1:8000/?token={TOKEN}"  # type: ignore[attr-defined]
    browser = TestClient(app, base_url=BASE, headers={"Origin": BASE})
    r = browser.get("/chart/songs/a.chart", params={"token": TOKEN, "x": "1"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/chart/songs/a.chart?x=1"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"backline-8000={TOKEN};") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert browser.get("/api/charts").status_code == 200  # the cookie now opens the API
    assert browser.post("/api/check", json={"text": CHART}).json()["ok"]
    wrong = TestClient(app, base_url=BASE).get("/", params={"token": "nope"}, follow_redirects=False)
    assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
    other_port = TestClient(app, base_url=BASE, cookies={"backline-8001": TOKEN})
    assert other_port.get("/api/charts").status_code == 401


def test_two_studios_have_two_tokens(tmp_path: object) -> None:
    root = make_root(str(tmp_path))
    a, b = create_app(root), create_app(root)
    assert a.state.token != b.state.token and len(a.state.token) == 64


# ---- paths -----------------------------------------------------------------------------------------

BAD_PATHS = ["../secret.chart", "/etc/passwd", "songs/../../secret.chart", "..\\secret.chart", "C:/x.chart",
             "songs/link.chart", "linkdir/x.chart", ".backline/takes/x.chart", "", "songs/\0.chart",
             "../.env", "./../secret.chart", "songs//../../secret.chart", "x" * 5000 + ".chart"]


@pytest.mark.parametrize("bad", BAD_PATHS)
def test_paths_outside_the_root_are_refused_through_every_route(studio: tuple[TestClient, str], bad: str) -> None:
    client, root = studio
    before = tree(root)
    for method, url, body in routes():
        if "{P}" not in url and "{P}" not in json.dumps(body):
            continue
        r = send(client, method, url, body, bad)
        assert r.status_code in (400, 403, 404, 422), (method, url, r.status_code)  # type: ignore[attr-defined]
        assert_private(r, root)
    assert tree(root) == before


def test_an_album_cannot_reach_outside_the_root(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    with open(os.path.join(root, "evil.toml"), "w") as f:
        f.write('title = "Evil"\n[[track]]\nchart = "songs/a.chart"\n[[track]]\nchart = "/etc/passwd"\n'
                '[[track]]\nchart = "../secret.chart"\n[[track]]\nchart = "../.env"\n'
                '[[track]]\nchart = "songs/link.chart"\n[[track]]\nchart = "linkdir/x.chart"\n')
    assert "evil.toml" in client.get("/api/albums").json()
    view = client.get("/api/album", params={"path": "evil.toml"})
    assert view.status_code == 200
    assert_private(view, root)
    rows = view.json()["tracks"]
    assert [r["ok"] for r in rows] == [True, False, False, False, False, False]
    assert all("outside the studio's folder" in r["error"] for r in rows[1:])
    assert "root:" not in view.text and "PASSWORD" not in view.text
    for r in (client.post("/api/album/render", json={"path": "evil.toml"}),
              client.get("/api/album/flow", params={"path": "evil.toml"})):
        assert r.status_code == 422 and r.json()["track"] == 2
        assert_private(r, root)
    assert not os.path.exists(os.path.join(root, ".backline", "albums", "evil.toml", "current"))
    order = client.put("/api/album/order", json={"path": "evil.toml", "version": view.json()["version"],
                                                 "order": [5, 4, 3, 2, 1, 0]})
    assert order.status_code == 200 and order.json()["tracks"][0]["ok"] is False


def test_a_takes_log_edited_to_point_outside_is_ignored(studio: tuple[TestClient, str], tmp_path: object) -> None:
    client, root = studio
    take = client.post("/api/takes", json={"chart": "songs/a.chart", "seed": 1}).json()
    log = os.path.join(root, ".backline", "takes", "songs", "a.chart", "takes.jsonl")
    victim = os.path.join(str(tmp_path), "secret.chart")
    with open(log, "a") as f:
        f.write(json.dumps({"event": "bounce", "id": take["id"], "files": {"wav": "../../../../../secret.chart",
                                                                           "stems": victim}}) + "\n")
        f.write(json.dumps({"event": "take", "id": "20260101-000000-abcdef", "seed": 3, "risk": 0.5,
                            "files": {"midi": "../../../../../secret.chart", "chart": victim}}) + "\n")
    t = client.get(f"/api/takes/{take['id']}", params={"chart": "songs/a.chart"}).json()
    assert t["files"]["wav"] is None and t["files"]["stems"] is None
    for kind in ("wav", "stems", "midi", "chart"):
        r = client.get(f"/api/takes/20260101-000000-abcdef/files/{kind}", params={"chart": "songs/a.chart"})
        assert r.status_code == 404, kind
        assert_private(r, root)
    client.post("/api/takes/20260101-000000-abcdef/discard", json={"chart": "songs/a.chart"})
    assert os.path.isfile(victim)
    with open(victim) as f:
        assert SECRET in f.read()


# ---- bodies and values ----------------------------------------------------------------------------------

def test_bodies_are_bounded(studio: tuple[TestClient, str]) -> None:
    client, _root = studio
    limit = Limits.body
    big = client.post("/api/check", content=b"x" * 10, headers={"Content-Length": str(limit + 1),
                                                                 "Content-Type": "application/json"})
    assert big.status_code == 413
    r = client.post("/api/check", content=iter([b" " * 600_000] * 2), headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["code"] == "too_large"  # chunked: no Content-Length to go by
    ok = client.post("/api/check", content=iter([b'{"text": ', json.dumps(CHART).encode(), b"}"]),
                     headers={"Content-Type": "application/json"})
    assert ok.status_code == 200 and ok.json()["ok"]  # a small chunked body is fine
    upload = client.post("/api/import", params={"name": "big.cho"},
                         content=b"{title: Big}\n" + b"[C]la " * 300_000)  # 1.8 MB: over JSON's limit, under uploads'
    assert upload.status_code == 201
    huge = client.post("/api/import", params={"name": "huge.cho"}, content=iter([b"a" * 1_000_000] * 20))
    assert huge.status_code == 413
    assert client.post("/api/check", content=b"{not json").status_code == 422


@pytest.mark.parametrize("risk", ["NaN", "Infinity", "-Infinity", "1e308", "-0.1", "1.0000001", '"0.5"', "true",
                                  "null", "1e400"])
def test_risk_must_be_a_number_from_0_to_1(studio: tuple[TestClient, str], risk: str) -> None:
    client, root = studio
    before = tree(root)
    body = '{"chart": "songs/a.chart", "seed": 1, "risk": ' + risk + "}"
    r = client.post("/api/takes", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == "invalid" and r.json()["detail"].startswith("risk"), r.text
    preview = client.post("/api/preview", content=body.replace('"chart"', '"text"').replace("songs/a.chart", "x"),
                          headers={"Content-Type": "application/json"})
    assert preview.status_code == 422
    q = risk.lower().replace("infinity", "inf")
    picture = client.get("/api/arrangement", params={"path": "songs/a.chart", "risk": q})
    assert picture.status_code == 422, q
    assert tree(root) == before


@pytest.mark.parametrize("seed", ["-1", "4294967296", "1.5", "true", '"7"', "1" + "0" * 400, "1e3"])
def test_seed_must_be_a_whole_number_in_range(studio: tuple[TestClient, str], seed: str) -> None:
    client, _ = studio
    body = '{"chart": "songs/a.chart", "seed": ' + seed + "}"
    r = client.post("/api/takes", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == "invalid", r.text
    assert client.get("/api/arrangement", params={"path": "songs/a.chart", "seed": seed}).status_code == 422


def test_other_values_are_checked(studio: tuple[TestClient, str]) -> None:
    client, _ = studio
    assert client.post("/api/sketch", json={"tempo": float("1e308")}).status_code == 422
    assert client.post("/api/sketch", content='{"tempo": NaN}', headers={"Content-Type": "application/json"}) \
        .status_code == 422
    assert client.post("/api/takes", json={"chart": "songs/a.chart", "name": "a\nb"}).status_code == 422
    assert client.post("/api/takes", json={"chart": "songs/a.chart", "notes": "n" * 100_000}).status_code == 422
    assert client.post("/api/takes", json={"chart": "songs/a.chart", "style": "nope"}).status_code == 422
    assert client.post("/api/takes", json={"chart": "songs/a.chart", "surprise": 1}).status_code == 422
    assert client.post("/api/check", json={"text": 5}).status_code == 422
    assert client.put("/api/album/order", json={"path": "album.toml", "order": [0.5, 1, 2]}).status_code == 422


def test_no_get_writes_a_file(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    take = client.post("/api/takes", json={"chart": "songs/a.chart", "seed": 3}).json()
    client.post("/api/album/render", json={"path": "album.toml"})
    before = tree(root)
    urls = ["/api/charts", "/api/chart?path=songs/a.chart", "/api/grid?path=songs/a.chart", "/api/templates",
            "/api/styles", "/api/info", "/api/takes?chart=songs/a.chart", "/api/takes?chart=songs/new.chart",
            "/api/takes?chart=new/folder/x.chart", f"/api/takes/{take['id']}?chart=songs/a.chart",
            f"/api/takes/{take['id']}/playback?chart=songs/a.chart", take["files"]["midi"],
            f"/api/takes/{take['id']}/arrangement?chart=songs/a.chart", "/api/albums", "/api/album?path=album.toml",
            "/api/album/flow?path=album.toml", "/api/album-files/album.toml/report.html",
            "/api/chart/download/musicxml?path=songs/a.chart", "/", "/chart/songs/a.chart", "/openapi.json"]
    urls += [f"/api/arrangement?path=songs/a.chart&seed={s}&risk={r}" for s in (0, 1, 2) for r in (0, 0.3, 1)]
    for url in urls:
        r = client.get(url)
        assert r.status_code in (200, 404), (url, r.status_code)
    for url in urls[-9:]:  # the same pictures again come from memory
        assert client.get(url).status_code == 200
    assert tree(root) == before


# ---- stalls and piles, against a real server ---------------------------------------------------------

@pytest.fixture()
def live(tmp_path: object) -> Iterator[tuple[object, int, str]]:
    import uvicorn

    root = make_root(str(tmp_path))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    limits = Limits()
    limits.quick_seconds = 600.0
    app = create_app(root, token=TOKEN, port=port, limits=limits)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield app, port, root
    server.should_exit = True
    thread.join(timeout=5)


def head(port: int, method: str, path: str, extra: str = "") -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n"
            f"X-Backline-Token: {TOKEN}\r\nContent-Type: application/json\r\n{extra}\r\n").encode()


def answer(c: socket.socket) -> bytes:
    c.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        part = c.recv(65536)
        if not part:
            break
        data += part
    return data


def test_a_chunked_upload_is_cut_at_the_limit(live: tuple[object, int, str]) -> None:
    _, port, _ = live
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(head(port, "POST", "/api/check", "Transfer-Encoding: chunked\r\n"))
    chunk = b"%x\r\n" % 1_000_000 + b" " * 1_000_000 + b"\r\n"
    sent = 0
    try:
        for _ in range(2000):  # 2 GB offered
            c.sendall(chunk)
            sent += 1
    except OSError:
        pass  # the server closed the connection: it stopped reading
    reply = answer(c)
    c.close()
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert sent < 50  # it read about the limit (1 MB), and the socket buffers hold a few more


def test_duplicate_host_or_length_headers_are_refused(live: tuple[object, int, str]) -> None:
    _, port, _ = live
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(f"GET /api/charts HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.example\r\n"
              f"X-Backline-Token: {TOKEN}\r\n\r\n".encode())
    assert answer(c).split(b"\r\n")[0] in (b"HTTP/1.1 403 Forbidden", b"HTTP/1.1 400 Bad Request")
    c.close()


def test_a_slow_job_never_stalls_the_server(live: tuple[object, int, str]) -> None:
    import httpx

    _, port, _ = live
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=url, headers={"X-Backline-Token": TOKEN, "Origin": url}, timeout=60) as client:
        assert client.post("/api/check", json={"text": CHART}).json()["ok"]
        results: dict[str, object] = {}

        def slow() -> None:  # performing 3200 bars: seconds of work, in one worker
            results["preview"] = client.post("/api/preview", json={"text": LONG})

        thread = threading.Thread(target=slow)
        thread.start()
        time.sleep(0.2)
        for _ in range(5):
            assert client.get("/api/charts").status_code == 200
            assert client.post("/api/check", json={"text": CHART}).json()["ok"]  # the other worker checks
        assert thread.is_alive()  # ten answers while the one slow job went on
        thread.join()
        assert results["preview"].status_code == 200  # type: ignore[attr-defined]


def test_a_job_over_its_time_limit_is_stopped(tmp_path: object) -> None:
    limits = Limits()
    limits.quick_seconds = 0.3
    with studio_client(make_root(str(tmp_path)), limits=limits) as client:
        assert client.post("/api/check", json={"text": CHART}).json()["ok"]
        r = client.post("/api/preview", json={"text": LONG})  # seconds of work: over 0.3 s
        assert r.status_code == 503 and r.json()["code"] == "timeout"
        assert client.app.state.studio.quick.stopped == 1  # type: ignore[attr-defined]
        for _ in range(3):  # the stopped worker's place is taken by a fresh one
            assert client.post("/api/check", json={"text": CHART}).json()["ok"]


def test_the_render_queue_is_bounded(tmp_path: object) -> None:
    root = make_root(str(tmp_path))
    limits = Limits()
    limits.render_waiting = 1
    with studio_client(root, limits=limits) as client:
        codes: list[int] = []

        def render() -> None:
            codes.append(client.post("/api/takes", json={"chart": "songs/a.chart", "text": LONG}).status_code)

        threads = [threading.Thread(target=render) for _ in range(5)]
        for t in threads:
            t.start()
            time.sleep(0.05)
        for t in threads:
            t.join()
        assert sorted(codes) == [201, 201, 503, 503, 503]


def test_a_render_nobody_waits_for_is_stopped(live: tuple[object, int, str]) -> None:
    app, port, root = live
    renders = app.state.studio.renders  # type: ignore[attr-defined]
    body = json.dumps({"chart": "songs/a.chart", "text": LONG}).encode()
    sockets = []
    for n in (1, 2):  # one running, one waiting
        c = socket.create_connection(("127.0.0.1", port))
        c.sendall(head(port, "POST", "/api/takes", f"Content-Length: {len(body)}\r\n") + body)
        sockets.append(c)
        deadline = time.monotonic() + 20
        while renders.pending < n and time.monotonic() < deadline:  # the job is in the queue
            time.sleep(0.02)
        assert renders.pending == n
    time.sleep(0.3)
    for c in sockets:  # both requesters leave
        c.close()
    deadline = time.monotonic() + 3
    while renders.pending and time.monotonic() < deadline:
        time.sleep(0.05)
    assert renders.pending == 0 and renders.stopped == 2
    log = os.path.join(root, ".backline", "takes", "songs", "a.chart", "takes.jsonl")
    assert not os.path.exists(log)  # neither take was finished


def test_fifos_devices_and_huge_files_are_refused_unread(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    os.mkfifo(os.path.join(root, "songs", "pipe.chart"))  # a hostile local user's trap: open() would block
    with open(os.path.join(root, "songs", "huge.chart"), "wb") as f:
        f.truncate(50_000_000)
    with open(os.path.join(root, "pipes.toml"), "w") as f:
        f.write('title = "P"\n[[track]]\nchart = "songs/pipe.chart"\n')
    with open(os.path.join(root, "songs", "alias.chart"), "w"):
        pass
    os.unlink(os.path.join(root, "songs", "alias.chart"))
    os.symlink(os.path.join(root, "album.toml"), os.path.join(root, "songs", "alias.chart"))
    for url in ("/api/chart?path=songs/pipe.chart", "/api/grid?path=songs/huge.chart",
                "/api/chart?path=songs/huge.chart", "/api/album?path=pipes.toml",
                "/api/arrangement?path=songs/pipe.chart"):
        r = client.get(url)
        assert r.status_code in (400, 404, 422), (url, r.status_code)
        assert_private(r, root)
    r = client.put("/api/chart", json={"path": "songs/alias.chart", "text": "x", "version": None})
    assert r.status_code == 400  # a .chart name that leads to the album file is not a chart
    with open(os.path.join(root, "album.toml")) as f:
        assert f.read().startswith('title = "Record"')


def test_a_work_folder_symlinked_out_is_refused(studio: tuple[TestClient, str], tmp_path: object) -> None:
    client, root = studio
    outside = os.path.join(str(tmp_path), "elsewhere")
    os.makedirs(outside)
    os.symlink(outside, os.path.join(root, ".backline"))
    r = client.post("/api/takes", json={"chart": "songs/a.chart", "seed": 1})
    assert r.status_code == 403 and r.json()["code"] == "outside"
    assert client.post("/api/album/render", json={"path": "album.toml"}).status_code == 403
    assert os.listdir(outside) == []


def test_odd_json_is_a_clear_4xx(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    version = client.get("/api/chart", params={"path": "songs/a.chart"}).json()["version"]
    odd = [("POST", "/api/check", "[" * 200_000 + "]" * 200_000),  # nested past Python's recursion limit
           ("POST", "/api/check", '{"text": "\\ud800"}'),  # a lone surrogate: JSON carries it, UTF-8 cannot
           ("PUT", "/api/chart", json.dumps({"path": "songs/a.chart", "text": "\ud800", "version": version})),
           ("POST", "/api/takes", json.dumps({"chart": "songs/a.chart", "name": "\udfff"})),
           ("POST", "/api/charts", json.dumps({"text": "title: \ud800\n"})),
           ("PUT", "/api/album/order", json.dumps({"path": "album.toml", "order": [0, 1, 2], "version": "\ud800"})),
           ("POST", "/api/check", b'{"text": "\xff\xfe"}'), ("POST", "/api/check", "{}"), ("POST", "/api/check", "[]"),
           ("POST", "/api/check", "null"), ("GET", "/api/chart?path=songs/%ed%a0%80.chart", None)]
    for method, url, body in odd:
        r = client.request(method, url, content=body, headers={"Content-Type": "application/json"})
        assert 400 <= r.status_code < 500, (url, body if body is None else body[:40], r.status_code)
        assert_private(r, root)
    with open(os.path.join(root, "songs", "a.chart")) as f:
        assert f.read() == CHART


def test_a_file_where_a_folder_should_be_is_a_400(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    for r in (client.post("/api/import", params={"name": "x.cho", "folder": "album.toml"}, content=b"{title: X}\n[C]a"),
              client.post("/api/charts", json={"text": CHART, "folder": "album.toml"}),
              client.post("/api/charts", json={"text": CHART, "path": "album.toml/x.chart"}),
              client.put("/api/chart", json={"path": "songs/a.chart/x.chart", "text": CHART, "version": None})):
        assert r.status_code in (400, 404), r.text
        assert_private(r, root)
    assert client.get("/docs").status_code == 404  # no page that would fetch scripts from the network
