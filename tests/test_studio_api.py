"""The studio's API as the page uses it: charts with versions, takes that are never overwritten,
albums whose order edits keep everything, the workflow (new, sketch, import, downloads)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil
import threading
from collections.abc import Iterator

import mido
import pytest
from fastapi.testclient import TestClient

from tests.studio_helpers import ALBUM, CHART, make_root, studio_client, tree

needs_fluidsynth = pytest.mark.skipif(shutil.which("fluidsynth") is None, reason="fluidsynth is not installed")


@pytest.fixture()
def studio(tmp_path: object) -> Iterator[tuple[TestClient, str]]:
    root = make_root(str(tmp_path))
    with studio_client(root) as client:
        yield client, root


# ---- charts ---------------------------------------------------------------------------------------

def test_check_reports_line_and_column(studio: tuple[TestClient, str]) -> None:
    client, _ = studio
    r = client.post("/api/check", json={"text": "section A:\n  | C | Hx7 |\n"}).json()
    assert r == {"ok": False, "errors": [{"line": 2, "column": 9,
                                          "message": "unknown chord 'Hx7': a chord starts with a root A–G"}]}
    assert client.post("/api/check", json={"text": CHART}).json() == {"ok": True, "errors": []}


def test_list_read_and_save_exactly(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    assert client.get("/api/charts").json() == ["songs/a.chart", "songs/b.chart", "songs/c.chart"]
    got = client.get("/api/chart", params={"path": "songs/a.chart"})
    assert got.json()["text"] == CHART and got.json()["version"] == hashlib.sha256(CHART.encode()).hexdigest()
    assert got.headers["etag"] == f'"{got.json()["version"]}"'
    odd = "title:  Kept   As Typed\n\n\n section A:\n  |C|G|   # spacing stays\n"
    r = client.put("/api/chart", json={"path": "songs/a.chart", "text": odd, "version": got.json()["version"]}).json()
    assert r["path"] == "songs/a.chart" and r["ok"] is False and r["errors"]  # saved even with problems
    assert r["version"] == hashlib.sha256(odd.encode()).hexdigest()
    with open(os.path.join(root, "songs", "a.chart")) as f:
        assert f.read() == odd
    assert not [n for n in os.listdir(os.path.join(root, "songs")) if n.endswith(".tmp")]
    formatted = client.post("/api/format", json={"text": CHART.replace("| C |", "|C|")}).json()
    assert formatted["ok"] and "| C | Am | F | G |" in formatted["text"]


def test_a_stale_save_gets_409_with_the_current_text(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    v1 = client.get("/api/chart", params={"path": "songs/a.chart"}).json()["version"]
    tab_a = client.put("/api/chart", json={"path": "songs/a.chart", "text": CHART + "# tab A\n", "version": v1})
    assert tab_a.status_code == 200
    tab_b = client.put("/api/chart", json={"path": "songs/a.chart", "text": CHART + "# tab B\n", "version": v1})
    assert tab_b.status_code == 409
    body = tab_b.json()
    assert body["code"] == "stale" and body["current"] == {"text": CHART + "# tab A\n",
                                                           "version": tab_a.json()["version"]}
    with open(os.path.join(root, "songs", "a.chart")) as f:
        assert f.read().endswith("# tab A\n")  # the last save did not silently win
    exists = client.put("/api/chart", json={"path": "songs/a.chart", "text": "x", "version": None})
    assert exists.status_code == 409 and exists.json()["code"] == "exists"
    assert client.put("/api/chart", json={"path": "songs/a.chart", "text": "x"}).status_code == 422  # version needed


def test_concurrent_saves_from_one_version_let_exactly_one_win(studio: tuple[TestClient, str]) -> None:
    client, _root = studio
    v1 = client.get("/api/chart", params={"path": "songs/b.chart"}).json()["version"]
    codes: list[int] = []

    def save(i: int) -> None:
        codes.append(client.put("/api/chart", json={"path": "songs/b.chart", "text": CHART + f"# {i}\n",
                                                    "version": v1}).status_code)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200] + [409] * 7


def test_new_chart_never_overwrites(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    made = client.post("/api/charts", json={"text": CHART, "folder": "songs"})
    assert made.status_code == 201 and made.json()["path"] == "songs/studio-song.chart"
    again = client.post("/api/charts", json={"text": CHART, "folder": "songs"}).json()
    assert again["path"] == "songs/studio-song-2.chart"
    clash = client.post("/api/charts", json={"text": "title: X\n", "path": "songs/a.chart"})
    assert clash.status_code == 409 and clash.json()["code"] == "exists"
    with open(os.path.join(root, "songs", "a.chart")) as f:
        assert f.read() == CHART
    named = client.post("/api/charts", json={"text": CHART, "path": "new/deep/one.chart"})
    assert named.status_code == 201 and os.path.isfile(os.path.join(root, "new", "deep", "one.chart"))


def test_templates_sketch_styles_and_info(studio: tuple[TestClient, str]) -> None:
    client, _ = studio
    templates = client.get("/api/templates").json()
    assert {t["name"] for t in templates} >= {"blank", "verse-chorus", "twelve-bar-blues"}
    for t in templates:
        assert client.post("/api/check", json={"text": t["text"]}).json()["ok"], t["name"]
    sketch = client.post("/api/sketch", json={"style": "funk", "key": "E minor", "tempo": 100, "form": "Verse Chorus",
                                              "seed": 3}).json()["text"]
    assert "style: funk" in sketch and "key: E minor" in sketch and "form: Verse Chorus" in sketch
    assert client.post("/api/check", json={"text": sketch}).json()["ok"]
    bad = client.post("/api/sketch", json={"style": "polka-dots"})
    assert bad.status_code == 422 and "unknown style" in bad.json()["detail"]
    styles = client.get("/api/styles").json()
    assert {"name": "funk", "description": styles[[s["name"] for s in styles].index("funk")]["description"]} in styles
    assert all(s["description"] for s in styles)
    info = client.get("/api/info").json()
    assert "0" in info["risk_help"] and "1" in info["risk_help"] and "drums" in info["instruments"]


def test_grid_shows_sections_repeats_and_changes(studio: tuple[TestClient, str]) -> None:
    client, _ = studio
    text = ("title: Grid\ntempo: 120\nsection A:\n  dynamics: p -> f\n  | C . G7 . | % |\n"
            "section B:\n  time: 3/4\n  tempo: 90\n  tacet: guitar\n  | F! . . | N.C. |\nform: A x2 B\n")
    g = client.post("/api/grid", json={"text": text}).json()
    assert [(f["section"], f["repeat"], f["repeats"]) for f in g["form"]] == [("A", 1, 2), ("A", 2, 2), ("B", 1, 1)]
    assert g["sections"][0]["directions"] == {"dynamics": "p -> f"}
    assert g["sections"][1]["directions"] == {"time": "3/4", "tempo": "90", "tacet": ["guitar"]}
    assert [s["text"] for s in g["sections"][0]["bars"][0]["slots"]] == ["C", ".", "G7", "."]
    assert g["sections"][0]["bars"][1]["repeat"] is True
    bars = g["bars"]
    assert len(bars) == 6 and bars[4]["meter"] == "3/4" and bars[4]["tempo"] == 90
    assert bars[1]["start_seconds"] == 2.0 and bars[4]["start_seconds"] == 8.0
    assert bars[4]["seconds"] == pytest.approx(2.0, abs=1e-5)  # 90 bpm: the MIDI file's whole microseconds
    assert bars[4]["chords"][0] == {"beat": 0.0, "beats": 1.0, "symbol": "F", "hit": True, "stop": False}
    assert bars[4]["chords"][1] == {"beat": 1.0, "beats": 2.0, "symbol": None, "hit": False, "stop": True}
    assert g["meter_changes"] == [{"bar": 0, "meter": "4/4"}, {"bar": 4, "meter": "3/4"}]
    assert g["seconds"] == pytest.approx(12.0, abs=1e-5)
    assert client.get("/api/grid", params={"path": "songs/a.chart"}).json()["title"] == "Studio Song"
    broken = client.post("/api/grid", json={"text": "section A:\n  | Hx7 |\n"})
    assert broken.status_code == 422 and broken.json()["errors"][0]["line"] == 2


def test_preview_gives_midi_channels_and_grid_for_the_text_on_screen(studio: tuple[TestClient, str],
                                                                       ) -> None:
    client, root = studio
    before = tree(root)
    p = client.post("/api/preview", json={"text": CHART.replace("| C |", "| D |"), "seed": 3, "risk": 0.4}).json()
    midi = mido.MidiFile(file=io.BytesIO(base64.b64decode(p["midi"])))
    used = {m.channel for t in midi.tracks for m in t if m.type == "note_on"}
    assert used <= {c["channel"] for c in p["channels"]}
    drums = [c for c in p["channels"] if c["drums"]]
    assert [c["channel"] for c in drums] == [9] and drums[0]["instrument"] == "drums"
    assert p["grid"]["bars"][0]["chords"][0]["symbol"] == "D" and abs(p["seconds"] - 8.0) < 0.01
    assert tree(root) == before  # nothing written


# ---- takes ------------------------------------------------------------------------------------------

def take_files(root: str, chart: str, take_id: str) -> dict[str, str]:
    folder = os.path.join(root, ".backline", "takes", chart, take_id)
    out = {}
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as f:
            out[name] = hashlib.sha256(f.read()).hexdigest()
    return out


def test_keeping_then_rendering_the_same_seed_never_touches_the_kept_take(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    first = client.post("/api/takes", json={"chart": "songs/a.chart", "seed": 42, "risk": 0.2})
    assert first.status_code == 201
    one = first.json()
    assert client.patch(f"/api/takes/{one['id']}", json={"chart": "songs/a.chart", "kept": True}).json()["kept"]
    files = take_files(root, "songs/a.chart", one["id"])
    two = client.post("/api/takes", json={"chart": "songs/a.chart", "seed": 42, "risk": 0.9}).json()
    assert two["id"] != one["id"] and two["seed"] == one["seed"] == 42
    assert take_files(root, "songs/a.chart", one["id"]) == files
    listed = client.get("/api/takes", params={"chart": "songs/a.chart"}).json()["takes"]
    assert [(t["id"], t["kept"]) for t in listed] == [(two["id"], False), (one["id"], True)]  # newest first
    midi = client.get(one["files"]["midi"])
    assert midi.status_code == 200 and midi.content[:4] == b"MThd"
    with open(os.path.join(root, ".backline", "takes", "songs/a.chart", one["id"], "take.mid"), "rb") as f:
        assert f.read() == midi.content


def test_discard_is_one_take_and_can_be_undone(studio: tuple[TestClient, str]) -> None:
    client, _ = studio
    a = client.post("/api/takes", json={"chart": "songs/a.chart", "seed": 7}).json()
    b = client.post("/api/takes", json={"chart": "songs/a.chart", "seed": 7}).json()
    client.patch(f"/api/takes/{a['id']}", json={"chart": "songs/a.chart", "kept": True})
    gone = client.post(f"/api/takes/{a['id']}/discard", json={"chart": "songs/a.chart"}).json()
    assert gone["discarded"] and gone["kept"]
    live = client.get("/api/takes", params={"chart": "songs/a.chart"}).json()["takes"]
    assert [t["id"] for t in live] == [b["id"]]  # the other take with the same seed stays
    trash = client.get("/api/takes", params={"chart": "songs/a.chart", "trash": True}).json()["takes"]
    assert [t["id"] for t in trash] == [a["id"]]
    assert client.get(a["files"]["midi"]).status_code == 404  # A/B must not point at it
    back = client.post(f"/api/takes/{a['id']}/restore", json={"chart": "songs/a.chart"}).json()
    assert not back["discarded"] and back["kept"]
    assert client.get(a["files"]["midi"]).content[:4] == b"MThd"
    assert client.post("/api/takes/20990101-000000-abcdef/discard", json={"chart": "songs/a.chart"}).status_code == 404


def test_names_notes_and_downloads(studio: tuple[TestClient, str]) -> None:
    client, _ = studio
    t = client.post("/api/takes", json={"chart": "songs/a.chart", "seed": 1, "name": "warm up",
                                        "notes": "bass too busy"}).json()
    assert (t["name"], t["notes"]) == ("warm up", "bass too busy")
    t = client.patch(f"/api/takes/{t['id']}", json={"chart": "songs/a.chart", "name": "the one"}).json()
    assert t["name"] == "the one" and t["notes"] == "bass too busy"
    d = client.get(t["files"]["midi"] + "&download=true")
    assert d.headers["content-disposition"] == 'attachment; filename="a-the-one.mid"'
    assert client.get(t["files"]["chart"]).text == CHART
    assert t["files"]["wav"] is None and t["files"]["stems"] is None
    stems = client.get(f"/api/takes/{t['id']}/files/stems", params={"chart": "songs/a.chart"})
    assert stems.status_code == 404 and "bounce" in stems.json()["detail"]
    assert client.get(f"/api/takes/{t['id']}/arrangement", params={"chart": "songs/a.chart"}).content[:4] == b"\x89PNG"


def test_takes_are_filed_by_chart_path_not_title(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    t = client.post("/api/takes", json={"chart": "songs/a.chart", "seed": 2}).json()
    shutil.copy(os.path.join(root, "songs", "a.chart"), os.path.join(root, "songs", "copy.chart"))
    assert client.get("/api/takes", params={"chart": "songs/copy.chart"}).json()["takes"] == []
    v = client.get("/api/chart", params={"path": "songs/a.chart"}).json()["version"]
    client.put("/api/chart", json={"path": "songs/a.chart", "text": CHART.replace("Studio Song", "Renamed"),
                                   "version": v})
    assert [x["id"] for x in client.get("/api/takes", params={"chart": "songs/a.chart"}).json()["takes"]] == [t["id"]]


def test_render_uses_exactly_the_text_sent_and_does_not_save_it(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    unsaved = CHART.replace("Studio Song", "Unsaved Edit").replace("| C |", "| Eb |")
    t = client.post("/api/takes", json={"chart": "songs/a.chart", "text": unsaved, "seed": 5}).json()
    assert t["title"] == "Unsaved Edit" and t["version"] == hashlib.sha256(unsaved.encode()).hexdigest()
    assert client.get(t["files"]["chart"]).text == unsaved
    play = client.get(f"/api/takes/{t['id']}/playback", params={"chart": "songs/a.chart"}).json()
    assert play["grid"]["bars"][0]["chords"][0]["symbol"] == "Eb"
    assert base64.b64decode(play["midi"]) == client.get(t["files"]["midi"]).content
    with open(os.path.join(root, "songs", "a.chart")) as f:
        assert f.read() == CHART
    broken = client.post("/api/takes", json={"chart": "songs/a.chart", "text": "section A:\n  | Hx7 |\n"})
    assert broken.status_code == 422 and broken.json()["errors"][0]["column"] == 5
    assert broken.json()["detail"].startswith("songs/a.chart:2:5: unknown chord")


@needs_fluidsynth
def test_bounce_gives_the_full_mix_and_stems_as_a_zip(studio: tuple[TestClient, str]) -> None:
    import zipfile

    client, _ = studio
    t = client.post("/api/takes", json={"chart": "songs/a.chart", "seed": 9}).json()
    b = client.post(f"/api/takes/{t['id']}/bounce", json={"chart": "songs/a.chart"})
    assert b.status_code == 200, b.text
    t = b.json()
    wav = client.get(t["files"]["wav"])
    assert wav.content[:4] == b"RIFF" and wav.headers["content-type"] == "audio/wav"
    z = zipfile.ZipFile(io.BytesIO(client.get(t["files"]["stems"]).content))
    names = z.namelist()
    assert names and all(n.endswith(".wav") for n in names) and any("bass" in n for n in names)
    assert all(z.read(n)[:4] == b"RIFF" for n in names)


# ---- albums -------------------------------------------------------------------------------------

def album_text(root: str) -> str:
    with open(os.path.join(root, "album.toml")) as f:
        return f.read()


def reorder(client: TestClient, order: list[int]) -> dict:
    version = client.get("/api/album", params={"path": "album.toml"}).json()["version"]
    r = client.put("/api/album/order", json={"path": "album.toml", "version": version, "order": order})
    assert r.status_code == 200, r.text
    return r.json()


def test_album_order_works_for_every_position_and_keeps_comments(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    a = client.get("/api/album", params={"path": "album.toml"}).json()
    assert [t["title"] for t in a["tracks"]] == ["Studio Song", "Second Song", "Third Song"]
    assert all(t["ok"] for t in a["tracks"])
    titles = ["Studio Song", "Second Song", "Third Song"]
    for order in ([1, 0, 2], [1, 2, 0], [2, 0, 1], [1, 0, 2]):  # #1 onto #2, first to last, last to first, back
        current = [t["title"] for t in client.get("/api/album", params={"path": "album.toml"}).json()["tracks"]]
        got = reorder(client, order)
        assert [t["title"] for t in got["tracks"]] == [current[i] for i in order]
    text = album_text(root)
    assert text == ALBUM  # back to the first order: byte for byte the same file
    reorder(client, [2, 1, 0])
    text = album_text(root)
    assert text.index("# the opener\n[[track]]\nchart = \"songs/a.chart\"") > text.index("songs/b.chart")
    assert "seed = 4\n# b was best at seed 4\n" in text and 'chart = "songs/c.chart"  # the closer' in text
    # a place marker stays in its place: between the second and the third track
    assert text.index("songs/b.chart") < text.index("# --- side B ---") < text.index("songs/a.chart")
    before = os.stat(os.path.join(root, "album.toml")).st_mtime_ns
    assert [t["title"] for t in reorder(client, [0, 1, 2])["tracks"]] == titles[::-1]  # onto itself: no change
    assert os.stat(os.path.join(root, "album.toml")).st_mtime_ns == before


def test_album_order_is_versioned_and_checked(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    v = client.get("/api/album", params={"path": "album.toml"}).json()["version"]
    assert client.put("/api/album/order", json={"path": "album.toml", "version": v, "order": [1, 0, 2]}).status_code \
        == 200
    stale = client.put("/api/album/order", json={"path": "album.toml", "version": v, "order": [2, 1, 0]})
    assert stale.status_code == 409 and stale.json()["current"]["text"] == album_text(root)
    v = stale.json()["current"]["version"]
    for bad in ([0, 1], [0, 0, 1], [0, 1, 3], [-1, 0, 1], [True, 0, 2]):
        r = client.put("/api/album/order", json={"path": "album.toml", "version": v, "order": bad})
        assert r.status_code == 422, bad


def test_a_broken_chart_in_an_album_is_a_clear_message_never_a_500(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    with open(os.path.join(root, "songs", "b.chart"), "w") as f:
        f.write("title: Broken\nsection A:\n  | C | Hx7 |\n")
    a = client.get("/api/album", params={"path": "album.toml"})
    assert a.status_code == 200
    rows = a.json()["tracks"]
    assert [t["ok"] for t in rows] == [True, False, True]
    assert rows[1]["error"] == "track 2: songs/b.chart:3:9: unknown chord 'Hx7': a chord starts with a root A–G"
    for r in (client.post("/api/album/render", json={"path": "album.toml"}),
              client.get("/api/album/flow", params={"path": "album.toml"})):
        assert r.status_code == 422 and r.json()["track"] == 2 and r.json()["errors"][0]["line"] == 3
    with open(os.path.join(root, "album.toml"), "w") as f:
        f.write('title = "X"\n[[track]]\nchart = "songs/missing.chart"\n')
    missing = client.get("/api/album", params={"path": "album.toml"})
    assert missing.status_code == 422 and "missing.chart" in missing.json()["detail"]
    assert root not in missing.text
    with open(os.path.join(root, "album.toml"), "w") as f:
        f.write('title = "X\n[[track]]\n')
    assert client.get("/api/album", params={"path": "album.toml"}).json()["code"] == "album"


def test_album_render_replaces_the_last_one_and_its_report_is_a_page(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    first = client.post("/api/album/render", json={"path": "album.toml"})
    assert first.status_code == 200, first.text
    reorder(client, [2, 0, 1])
    second = client.post("/api/album/render", json={"path": "album.toml"}).json()
    assert [t["title"] for t in second["tracks"]] == ["Third Song", "Studio Song", "Second Song"]
    out = os.path.join(root, ".backline", "albums", "album.toml")
    assert os.listdir(out) == ["current"]
    mids = sorted(n for n in os.listdir(os.path.join(out, "current")) if n.endswith(".mid"))
    assert mids == ["01-third-song.mid", "02-studio-song.mid", "03-second-song.mid"]  # no files of old orders
    report = client.get(second["files"]["report"])
    assert report.headers["content-type"].startswith("text/html") and "<h1>Record</h1>" in report.text
    pictures = re.findall(r'<img[^>]+src="([^"]+)"', report.text)
    assert len(pictures) == 7  # the flow chart, and two pictures a track
    base = second["files"]["report"].rsplit("/", 1)[0]
    for p in pictures:  # relative links, as a browser resolves them
        got = client.get(f"{base}/{p}")
        assert got.status_code == 200 and got.content[:4] == b"\x89PNG", p
    view = client.get("/api/album", params={"path": "album.toml"}).json()
    assert view["rendered"]["files"]["report"] == second["files"]["report"]


@needs_fluidsynth
def test_album_render_with_audio_gives_a_master_and_cue(studio: tuple[TestClient, str]) -> None:
    client, _ = studio
    r = client.post("/api/album/render", json={"path": "album.toml", "audio": True})
    assert r.status_code == 200, r.text
    files = r.json()["files"]
    master = client.get(files["master"] + "?download=true")
    assert master.content[:4] == b"RIFF" and "attachment" in master.headers["content-disposition"]
    cue = client.get(files["cue"]).text
    assert cue.count("TRACK") == 3 and "Second Song" in cue


# ---- import and downloads ----------------------------------------------------------------------------

CHORDPRO = "{title: Imported Tune}\n{key: G}\n[G]Hello [C]world [D]again [G]now\n"


def test_import_upload_makes_new_charts_without_overwriting(studio: tuple[TestClient, str]) -> None:
    client, _root = studio
    r = client.post("/api/import", params={"name": "tune.cho"}, content=CHORDPRO.encode(),
                    headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["imported"] == 1 and first["files"][0].startswith("imported/") and not first["failed"]
    again = client.post("/api/import", params={"name": "tune.cho"}, content=CHORDPRO.encode()).json()
    assert again["files"][0] != first["files"][0]
    text = client.get("/api/chart", params={"path": first["files"][0]}).json()["text"]
    assert client.post("/api/check", json={"text": text}).json()["ok"]
    mid = client.post("/api/takes", json={"chart": "songs/a.chart", "seed": 1}).json()
    data = client.get(mid["files"]["midi"]).content
    m = client.post("/api/import", params={"name": "riff.mid", "folder": "midi-in"}, content=data)
    assert m.status_code == 201 and (m.json()["imported"] == 1 or m.json()["failed"])
    assert client.post("/api/import", params={"name": "x.cho"}, content=b"").status_code == 422


def test_chart_downloads(studio: tuple[TestClient, str]) -> None:
    client, _ = studio
    d = client.get("/api/chart/download/chart", params={"path": "songs/a.chart"})
    assert d.text == CHART and d.headers["content-disposition"] == 'attachment; filename="a.chart"'
    xml = client.get("/api/chart/download/musicxml", params={"path": "songs/a.chart"})
    assert xml.status_code == 200 and "<score-partwise" in xml.text
    cho = client.get("/api/chart/download/chordpro", params={"path": "songs/a.chart"}).text
    assert "Studio Song" in cho
    assert client.get("/api/chart/download/pdf", params={"path": "songs/a.chart"}).status_code == 404


def test_openapi_documents_every_route_with_a_summary(studio: tuple[TestClient, str]) -> None:
    client, _ = studio
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/check", "/api/charts", "/api/chart", "/api/takes", "/api/takes/{take_id}/discard",
            "/api/takes/{take_id}/restore", "/api/grid", "/api/preview", "/api/album/order", "/api/import",
            "/api/sketch", "/api/styles"} <= set(paths)
    for path, methods in paths.items():
        for method, op in methods.items():
            assert op.get("summary"), (method, path)


def test_page_urls_and_static_files(studio: tuple[TestClient, str]) -> None:
    client, _ = studio
    for url in ("/", "/chart/songs/a.chart", "/album/album.toml"):
        r = client.get(url)
        assert r.status_code == 200 and "<html" in r.text.lower(), url
    js = client.get("/static/app.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    for bad in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/.hidden", "/static/nope.js"):
        assert client.get(bad).status_code == 404, bad
