"""The JSON the studio's API takes and gives (documented in its OpenAPI)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, StrictInt, field_validator

from . import values

Risk = Annotated[float, Strict(), AfterValidator(values.risk)]
Seed = Annotated[StrictInt, AfterValidator(values.seed)]
Text = Annotated[str, AfterValidator(values.text)]
Name = Annotated[str, AfterValidator(values.name)]
Notes = Annotated[str, AfterValidator(values.notes)]
Tempo = Annotated[float, Strict(), AfterValidator(values.tempo)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=False)

    @field_validator("*")
    @classmethod
    def _unicode(cls, value: Any) -> Any:
        """Every text of a request is Unicode that can be written (a lone surrogate cannot)."""
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                values.unicode(item)
        return value


class ChartText(Body):
    text: Text


class Problem(BaseModel):
    line: int
    column: int
    message: str


class CheckResult(BaseModel):
    ok: bool
    errors: list[Problem]


class Formatted(BaseModel):
    ok: bool
    text: str


class Chart(BaseModel):
    path: str
    text: str
    version: str = Field(description="SHA-256 of the file's bytes: send it back when saving")


class SaveChart(Body):
    path: str
    text: Text
    version: str | None = Field(description="the version the edit started from; null for a new file")


class Saved(CheckResult):
    path: str
    version: str


class NewChart(Body):
    text: Text
    path: str | None = Field(None, description="where to create it; omitted: named from its title in folder")
    folder: str = ""


class Created(BaseModel):
    path: str
    version: str


class Template(BaseModel):
    name: str
    description: str
    text: str


class SketchRequest(Body):
    style: str = "rock"
    key: str | None = Field(None, max_length=40)
    tempo: Tempo | None = None
    time: str | None = Field(None, max_length=20)
    form: str | None = Field(None, max_length=2000)
    seed: Seed = 0
    title: str | None = Field(None, max_length=200)


class SketchText(BaseModel):
    text: str


class StyleInfo(BaseModel):
    name: str
    description: str


class Info(BaseModel):
    version: str
    risk_help: str
    instruments: list[str]
    limits: dict[str, int]


class ImportFailure(BaseModel):
    title: str
    reason: str


class Imported(BaseModel):
    imported: int
    files: list[str]
    failed: list[ImportFailure]


class PreviewRequest(Body):
    text: Text
    path: str | None = Field(None, description="the chart's path, for messages")
    seed: Seed = 0
    risk: Risk = 0.5
    style: str | None = None


class Channel(BaseModel):
    channel: int
    instrument: str
    name: str
    program: int
    drums: bool


class Playback(BaseModel):
    midi: str = Field(description="base64 of a type-1 Standard MIDI File, 480 ticks a quarter note")
    seconds: float
    channels: list[Channel]
    grid: dict[str, Any]
    version: str
    seed: int
    risk: float


class TakeFiles(BaseModel):
    midi: str | None = None
    take: str | None = None
    chart: str | None = None
    wav: str | None = None
    stems: str | None = None


class Take(BaseModel):
    id: str
    chart: str
    version: str
    title: str
    seed: int
    risk: float
    style: str | None
    created: str
    name: str
    notes: str
    kept: bool
    discarded: bool
    seconds: float
    bars: int
    notes_per_bar: float
    fills: int
    solo_range: list[int] | None = None
    files: TakeFiles


class TakeList(BaseModel):
    chart: str
    takes: list[Take]


class NewTake(Body):
    chart: str
    text: Text | None = Field(None, description="the text to render (the editor's); omitted: the saved file")
    seed: Seed | None = Field(None, description="omitted: a fresh random seed")
    risk: Risk = 0.5
    style: str | None = None
    name: Name = ""
    notes: Notes = ""
    bounce: bool = Field(False, description="also render the full mix (WAV and stems)")


class TakeRef(Body):
    chart: str


class TakeEdit(Body):
    chart: str
    name: Name | None = None
    notes: Notes | None = None
    kept: bool | None = None


class BounceRequest(Body):
    chart: str
    stems: bool = True


class AlbumTrack(BaseModel):
    position: int
    chart: str
    ok: bool
    error: str | None = None
    title: str | None = None
    key: str | None = None
    tempo: float | None = None
    seconds: float | None = None
    seed: int | None = None
    risk: float | None = None


class AlbumView(BaseModel):
    path: str
    version: str
    title: str
    artist: str
    gap_seconds: float
    seconds: float
    tracks: list[AlbumTrack]
    rendered: dict[str, Any] | None = None


class AlbumOrder(Body):
    path: str
    version: str | None = Field(None, description="the album file's version the edit started from")
    order: list[StrictInt] = Field(description="the current 0-based positions, in the new order", max_length=1000)


class AlbumRender(Body):
    path: str
    audio: bool = False


class AlbumRendered(BaseModel):
    path: str
    seconds: float
    warnings: list[str]
    tracks: list[dict[str, Any]]
    files: dict[str, str]
