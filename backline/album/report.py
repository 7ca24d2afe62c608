"""The album's flow report as an HTML page, beside its pictures (links are relative, so the page
works wherever the folder is served or opened from).

>>> r = {"title": "T & Co", "artist": "", "seconds": 62.0, "tracks": [], "transitions": [], "warnings": []}
>>> html = report_html(r); "<h1>T &amp; Co</h1>" in html and "none" in html
True
"""

from __future__ import annotations

import os
from html import escape
from typing import Any


def _clock(seconds: float) -> str:
    m, s = divmod(seconds, 60)
    return f"{int(m)}:{s:04.1f}"


def _name(path: str) -> str:
    return escape(os.path.basename(path), quote=True)


def report_html(report: dict[str, Any]) -> str:
    """The report (as ``render_album`` returns it) as a standalone HTML page."""
    title = escape(report["title"]) + (f" — {escape(report['artist'])}" if report.get("artist") else "")
    out = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{title}</title>", "<style>", _CSS, "</style></head><body>",
           f"<h1>{title}</h1>",
           f"<p>{len(report['tracks'])} tracks, {_clock(report['seconds'])} with gaps.</p>"]
    if report.get("flow_chart"):
        out.append(f'<img class="wide" src="{_name(report["flow_chart"])}" alt="the running order">')
    out += ["<table><thead><tr><th>#</th><th>title</th><th>key</th><th>tempo</th><th>meter</th><th>bars</th>"
            "<th>time</th><th>energy</th><th>loudness</th></tr></thead><tbody>"]
    for r in report["tracks"]:
        loud = f"{r['loudness']:.1f} LUFS" if "loudness" in r else "–"
        out.append(f"<tr><td>{r['number']}</td><td>{escape(r['title'])}</td><td>{escape(r['key'])}</td>"
                   f"<td>{r['tempo']:g}</td><td>{escape(', '.join(r['meters']))}</td><td>{r['bars']}</td>"
                   f"<td>{_clock(r['seconds'])}</td><td>{r['energy']:.2f}</td><td>{loud}</td></tr>")
    out += ["</tbody></table>", "<h2>Transitions</h2>",
            "<table><thead><tr><th>from → to</th><th>key steps</th><th>tempo</th><th>energy</th></tr></thead><tbody>"]
    for t in report["transitions"]:
        a, b = report["tracks"][t["from"] - 1], report["tracks"][t["to"] - 1]
        out.append(f"<tr><td>{escape(a['title'])} → {escape(b['title'])}</td><td>{t['key_steps']}</td>"
                   f"<td>{t['tempo_change']:+g} bpm</td><td>{t['energy_change']:+.2f}</td></tr>")
    out += ["</tbody></table>", "<h2>Warnings</h2>", "<ul>"]
    out += [f"<li>{escape(w)}</li>" for w in report["warnings"]] or ["<li>none</li>"]
    out.append("</ul>")
    if report.get("audio"):
        out += ["<h2>Audio</h2>", f'<audio controls preload="none" src="{_name(report["audio"])}"></audio>',
                f'<p><a href="{_name(report["audio"])}" download>master</a> · '
                f'<a href="{_name(report["cue"])}" download>CUE sheet</a></p>']
    out.append("<h2>Pictures</h2>")
    for r in report["tracks"]:
        pictures = r.get("pictures", [])
        if pictures:
            out.append(f"<h3>{r['number']}. {escape(r['title'])}</h3>")
            out += [f'<a href="{_name(p)}"><img class="wide" src="{_name(p)}" alt="{_name(p)}"></a>'
                    for p in pictures]
    out.append("</body></html>")
    return "\n".join(out) + "\n"


_CSS = """body{font:15px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:1100px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;width:100%}th,td{border-bottom:1px solid #ddd;padding:.3em .5em;
text-align:left}img.wide{max-width:100%;height:auto;display:block;margin:.5em 0}audio{width:100%}"""
