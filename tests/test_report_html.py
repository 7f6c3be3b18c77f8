"""``--format html``: one self-contained page a CI keeps as an artifact, checked as written
and as a real browser (headless Chromium) renders it.

The page has a table per cassette, a row per interaction and a column per profile (the one
replay, or each profile of a matrix); a differing cell holds every difference with both
values, marked. Nothing on it may reach out (no script, no stylesheet or image to fetch, no
link): it must look the same offline, long after the run.
"""

from __future__ import annotations

import json
import struct
import subprocess
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from simulator.cli import main

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "cassettes"
FAKE0 = CORPUS / "walkthrough-fake0.json"
FAKE1 = CORPUS / "walkthrough-fake1.json"
POINTER = "/interactions/0/create_calls/0/block_device_mapping/0/delete_on_termination"
CHROMIUM = Path("/usr/bin/chromium")
DIFFERS_BACKGROUND = (0xFF, 0xEB, 0xE9)
"""``td.differs``'s background in the page's style: a rendered difference shows it."""


@dataclass
class Table:
    """A table as text: its caption (the heading before it), header and body rows."""

    heading: str
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    classes: list[list[str]] = field(default_factory=list)


class Tables(HTMLParser):
    """Every table of a page, cells as their text, and what reaches outside the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[Table] = []
        self.external: list[str] = []
        self._heading = ""
        self._text: list[str] | None = None
        self._cell_class = ""
        self._in_head_row = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "link", "img", "iframe", "object", "embed") or any(
            name in ("src", "href", "srcset") for name, _ in attrs
        ):
            self.external.append(tag)
        if tag in ("h2", "th", "td"):
            self._text = []
            self._cell_class = values.get("class") or ""
        if tag == "table":
            self.tables.append(Table(self._heading))
        if tag == "tr":
            self._in_head_row = False
            if self.tables:
                self.tables[-1].rows.append([])
                self.tables[-1].classes.append([])
        if tag == "th":
            self._in_head_row = True

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("h2", "th", "td") or self._text is None:
            return
        text = " ".join("".join(self._text).split())
        self._text = None
        if tag == "h2":
            self._heading = text
            return
        table = self.tables[-1]
        table.rows[-1].append(text)
        table.classes[-1].append(self._cell_class)

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        for table in self.tables:
            table.header, table.rows = table.rows[0], table.rows[1:]
            table.classes = table.classes[1:]


def tables_of(page: str) -> Tables:
    parser = Tables()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture
def changed_fake0(tmp_path: Path) -> Path:
    """walkthrough-fake0 with a recorded value changed, so its replay differs there."""
    cassette = json.loads(FAKE0.read_text(encoding="utf-8"))
    cassette["interactions"][0]["create_calls"][0]["block_device_mapping"][0][
        "delete_on_termination"
    ] = False
    path = tmp_path / "fake0-changed.json"
    path.write_text(json.dumps(cassette), encoding="utf-8")
    return path


def report(tmp_path: Path, *argv: str) -> Path:
    output = tmp_path / "report.html"
    main([*argv, "--format", "html", "--output", str(output)])
    return output


def check_replay_page(page: str, changed: Path) -> None:
    parsed = tables_of(page)
    assert parsed.external == []
    (replayed,) = [table for table in parsed.tables if table.heading == str(changed)]
    assert replayed.header == ["#", "request", "replayed"]
    ((index, request, cell),) = replayed.rows
    assert index == "0"
    assert request.startswith("Action=RunInstances ImageId=ami-00000001 BlockDeviceMapping.1.")
    assert cell == f"{POINTER}: recorded false, replayed true"
    assert replayed.classes == [["", "", "differs"]]
    (unchanged,) = [table for table in parsed.tables if table.heading == str(FAKE1)]
    assert [row[-1] for row in unchanged.rows] == ["same"]
    assert unchanged.classes == [["", "", "same"]]


def check_matrix_page(page: str, changed: Path) -> None:
    parsed = tables_of(page)
    assert parsed.external == []
    assert [table.heading for table in parsed.tables] == [str(FAKE1), str(changed)]
    same, differs = parsed.tables
    assert same.header == differs.header == ["#", "request", "grizzly", "havana"]
    assert same.rows[0][2:] == ["same", "same"]
    assert differs.rows[0][2:] == [
        f"{POINTER}: recorded false, grizzly true",
        f"{POINTER}: recorded false, havana true",
    ]
    assert same.classes[0][2:] == ["same", "same"]
    assert differs.classes[0][2:] == ["differs", "differs"]


def test_a_replay_page_has_a_table_per_cassette_and_each_difference_with_both_values(
    tmp_path: Path, changed_fake0: Path
) -> None:
    page = report(tmp_path, "replay", str(FAKE1), str(changed_fake0)).read_text("utf-8")
    check_replay_page(page, changed_fake0)
    assert "1 FAILED" in page


def matrix(tmp_path: Path, changed: Path) -> Path:
    return report(tmp_path, "matrix", str(FAKE1), str(changed), "--profiles", "grizzly,havana")


def test_a_matrix_page_has_a_column_per_profile(tmp_path: Path, changed_fake0: Path) -> None:
    check_matrix_page(matrix(tmp_path, changed_fake0).read_text("utf-8"), changed_fake0)


def test_values_are_escaped(tmp_path: Path) -> None:
    cassette = json.loads(FAKE0.read_text(encoding="utf-8"))
    cassette["interactions"][0]["create_calls"][0]["block_device_mapping"][0]["device_name"] = (
        "</td><script>alert(1)</script>"
    )
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(cassette), encoding="utf-8")
    page = report(tmp_path, "replay", str(changed)).read_text("utf-8")
    assert "<script>" not in page
    parsed = tables_of(page)
    assert parsed.external == []
    assert '"</td><script>alert(1)</script>"' in parsed.tables[0].rows[0][2]


# --- in a browser -----------------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is absent (Debian's chromium package; .ci/run installs it)",
)


def chromium(tmp_path: Path, page: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium on the page, offline: no network, no profile, no background work."""
    profile = tmp_path / "chromium-profile"
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *options,
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def png_pixels(data: bytes) -> set[tuple[int, int, int]]:
    """The colours of an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: dict[bytes, bytes] = {}
    offset = 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        chunks[kind] = chunks.get(kind, b"") + data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, interlace) == (8, 0) and colour in (2, 6)
    channels = 3 if colour == 2 else 4
    stride = width * channels
    raw = zlib.decompress(chunks[b"IDAT"])
    previous = bytearray(stride)
    colours: set[tuple[int, int, int]] = set()
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                nearest = min(
                    (abs(estimate - left), 0, left),
                    (abs(estimate - up), 1, up),
                    (abs(estimate - corner), 2, corner),
                )[2]
                line[i] = (line[i] + nearest) & 0xFF
        colours.update((line[i], line[i + 1], line[i + 2]) for i in range(0, stride, channels))
        previous = line
    return colours


@needs_chromium
def test_chromium_renders_the_replay_page(tmp_path: Path, changed_fake0: Path) -> None:
    page = report(tmp_path, "replay", str(FAKE1), str(changed_fake0))
    result = chromium(tmp_path, page, "--dump-dom")
    assert result.returncode == 0, result.stderr
    check_replay_page(result.stdout, changed_fake0)


@needs_chromium
def test_chromium_renders_the_matrix_page_with_the_differences_highlighted(
    tmp_path: Path, changed_fake0: Path
) -> None:
    page = matrix(tmp_path, changed_fake0)
    dom = chromium(tmp_path, page, "--dump-dom")
    assert dom.returncode == 0, dom.stderr
    check_matrix_page(dom.stdout, changed_fake0)
    screenshot = tmp_path / "matrix.png"
    shot = chromium(tmp_path, page, f"--screenshot={screenshot}", "--window-size=1280,900")
    assert shot.returncode == 0, shot.stderr
    colours = png_pixels(screenshot.read_bytes())
    assert len(colours) > 2, "the screenshot is blank"
    assert DIFFERS_BACKGROUND in colours, "no highlighted difference on the screen"
