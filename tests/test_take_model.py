"""The take model without HTTP: immutable takes with their own ids, keep/discard/restore on ONE
take, a log that a hand edit cannot turn into a way out of the folder."""

from __future__ import annotations

import hashlib
import json
import os
import threading

import pytest

import backline
from backline import takes as tk

CHART = "title: Model Song\ntempo: 120\nsection A:\n  | C | Am | F | G |\n"


def digest(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def folder_digest(out: str, take_id: str) -> dict[str, str]:
    base = os.path.join(out, take_id)
    return {n: digest(os.path.join(base, n)) for n in sorted(os.listdir(base))}


def test_same_seed_twice_is_two_takes_and_the_kept_one_never_changes(tmp_path: object) -> None:
    out = str(tmp_path)
    song = backline.loads(CHART)
    first = tk.render_takes(song, out, [42], risk=0.2)[0]
    tk.keep(out, first["id"])
    before = folder_digest(out, first["id"])
    second = tk.render_takes(song, out, [42], risk=0.9)[0]  # the scenario: same seed, other risk
    assert second["id"] != first["id"] and second["seed"] == first["seed"] == 42
    assert folder_digest(out, first["id"]) == before  # nothing of the kept take was replaced
    states = {t["id"]: t for t in tk.takes(out)}
    assert states[first["id"]]["kept"] and not states[second["id"]]["kept"]
    assert [t["risk"] for t in tk.keepers(out)] == [0.2]
    with open(os.path.join(out, first["files"]["chart"])) as f:
        assert f.read() == CHART  # the exact text the take was made from
    assert first["version"] == hashlib.sha256(CHART.encode()).hexdigest()
    with pytest.raises(tk.TakeError, match="2 takes have seed 42"):
        tk.find(out, 42)


def test_discard_moves_one_take_to_the_trash_and_restore_brings_it_back(tmp_path: object) -> None:
    out = str(tmp_path)
    song = backline.loads(CHART)
    a, b = tk.render_takes(song, out, [7, 7], risk=0.5)
    tk.keep(out, a["id"])
    files = folder_digest(out, a["id"])
    gone = tk.discard(out, a["id"])
    assert gone["discarded"] and gone["kept"]  # kept stays remembered through the trash
    assert [t["id"] for t in tk.takes(out)] == [b["id"]]  # the other take with that seed stays
    assert [t["id"] for t in tk.takes(out, trash=True)] == [a["id"]]
    assert not os.path.exists(os.path.join(out, a["id"]))
    trashed = tk.path_of(out, gone, "midi")
    assert trashed is not None and os.path.isfile(trashed) and tk.TRASH in trashed
    back = tk.restore(out, a["id"])
    assert not back["discarded"] and folder_digest(out, a["id"]) == files
    assert tk.discard(out, b["id"])["discarded"] and tk.discard(out, b["id"])["discarded"]  # twice = once
    with pytest.raises(tk.TakeError):
        tk.discard(out, "20990101-000000-abcdef")


def test_names_and_notes_belong_to_one_take(tmp_path: object) -> None:
    out = str(tmp_path)
    a, b = tk.render_takes(backline.loads(CHART), out, [1, 2], risk=0.5, name="first try")
    tk.edit(out, b["id"], name="the one", notes="tight bass\nlate crash")
    states = {t["id"]: t for t in tk.takes(out)}
    assert (states[a["id"]]["name"], states[b["id"]]["name"]) == ("first try", "the one")
    assert states[b["id"]]["notes"] == "tight bass\nlate crash" and states[a["id"]]["notes"] == ""
    assert tk.edit(out, b["id"], name="x" * 10_000)["name"] == "x" * tk.NAME_LIMIT
    assert tk.download_name(states[a["id"]], "mid") == "chart-first-try.mid"


def test_a_hand_edited_log_cannot_reach_outside(tmp_path: object) -> None:
    root = str(tmp_path)
    out = os.path.join(root, "takes")
    victim = os.path.join(root, "victim.txt")
    with open(victim, "w") as f:
        f.write("keep me")
    take = tk.render_takes(backline.loads(CHART), out, [3], risk=0.5)[0]
    with open(os.path.join(out, tk.LOG), "a") as f:
        f.write("not json\n[1, 2]\n")
        f.write(json.dumps({"event": "take", "id": "../victim", "files": {"midi": "../victim.txt"}}) + "\n")
        f.write(json.dumps({"event": "bounce", "id": take["id"], "files": {"wav": "../victim.txt",
                                                                          "stems": take["id"] + "/../../x"}}) + "\n")
        f.write(json.dumps({"event": "take", "seed": 9, "files": {"midi": victim}}) + "\n")  # an old, id-less line
    states = tk.takes(out)
    assert [t["id"] for t in states] == [take["id"]]
    assert "wav" not in states[0]["files"] and "stems" not in states[0]["files"]
    tk.discard(out, take["id"])
    with pytest.raises(tk.TakeError):
        tk.discard(out, "../victim")
    with open(victim) as f:
        assert f.read() == "keep me"


def test_concurrent_edits_keep_every_log_line(tmp_path: object) -> None:
    out = str(tmp_path)
    take = tk.render_takes(backline.loads(CHART), out, [5], risk=0.5)[0]

    def note(i: int) -> None:
        for j in range(20):
            tk.edit(out, take["id"], notes=f"{i}-{j}" + "n" * 500)

    threads = [threading.Thread(target=note, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    edits = [r for r in tk.read_log(out) if r.get("event") == "edit"]
    assert len(edits) == 80  # every line whole: none lost, none interleaved


def test_cli_names_takes_by_id(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    from backline.cli import main

    chart = os.path.join(str(tmp_path), "t.chart")
    with open(chart, "w") as f:
        f.write(CHART)
    out = os.path.join(str(tmp_path), "takes")
    assert main(["takes", chart, "--seeds", "3,3", "-o", out]) == 0
    printed = capsys.readouterr().out
    ids = [line.split()[1] for line in printed.splitlines()]
    assert len(ids) == 2 and all(tk.is_take_id(i) for i in ids) and ids[0] != ids[1]
    assert main(["keep", out, "3"]) == 2  # two takes have that seed: the CLI asks for the id
    assert "name one by its id" in capsys.readouterr().err
    assert main(["keep", out, ids[1]]) == 0
    assert [t["id"] for t in tk.keepers(out)] == [ids[1]]
