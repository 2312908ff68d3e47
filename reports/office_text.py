"""The office's own words in the half-yearly report: the parts no figure can write (context, propaganda,
steering and coordination, shortcomings, the next half-year's tasks and a few optional sentences).

They live in an editable Markdown file per period, FOLDER/PERIOD.md (FOLDER defaults to `nhan_dinh`
beside the inbox), one `## heading` per part; reports/templates/nhan_dinh.yaml names the parts, their
headings, hints and placeholder wording. The file is the office's: a build creates it when it is missing,
with every heading and a hint in a comment, and never writes to it again, so nothing a person wrote is
lost by the next build. Every build reads it afresh. Plain Python."""

from __future__ import annotations

import os
import re
import textwrap
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2
import yaml

import catalog
from catalog import periods

FOLDER_NAME = "nhan_dinh"
PARTS_FILE = Path(__file__).resolve().parent / "templates" / "nhan_dinh.yaml"

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_PART_HEADING = re.compile(r"^##(?!#)\s*(.*?)\s*#*\s*$")
_TITLE = re.compile(r"^#(?!#)\s")
_NUMBERING = re.compile(r"^(?:\d+|[ivxlc]+|[a-zđ])\s*[.)/-]\s+")
_PARENTHESES = re.compile(r"\([^)]*\)")


@dataclass(frozen=True)
class Part:
    key: str
    heading: str
    required: bool
    join: str  # "" for a part of its own paragraphs; "; " or ", " for a clause that ends a figure sentence
    what: str  # template of the placeholder's "what is missing"
    hint: str  # template of the hint written into a new file


@dataclass(frozen=True)
class OfficeText:
    """What the office wrote for one report: its text per part key (filled parts only)."""

    path: Path | None
    texts: dict[str, str] = field(default_factory=dict)
    unknown: tuple[str, ...] = ()  # headings of the file that name no part: their text is not in the report
    created: bool = False  # the build created the file (with the placeholders) this time
    problem: str = ""  # why the file could not be created or read (Vietnamese, one line)

    @property
    def unfilled(self) -> list[Part]:
        """Required parts with no text yet, in the report's order."""
        return [p for p in parts() if p.required and not self.texts.get(p.key)]

    def paragraphs(self, key: str) -> list[str]:
        """The part's paragraphs (a bullet keeps its "- "), each on one line."""
        return _paragraphs(self.texts.get(key, ""))


@cache
def settings() -> dict:
    with open(PARTS_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def parts() -> tuple[Part, ...]:
    return tuple(
        Part(
            key=p["key"],
            heading=p["heading"],
            required=bool(p["required"]),
            join=p.get("join", ""),
            what=p["what"],
            hint=p["hint"],
        )
        for p in settings()["parts"]
    )


def default_folder(inbox: str | Path) -> Path:
    """`nhan_dinh` beside the inbox: demo/inbox -> demo/nhan_dinh."""
    return Path(inbox).resolve().parent / FOLDER_NAME


def file_path(folder: str | Path, period: str, province_code: str | None = None) -> Path:
    """FOLDER/PERIOD.md; with several provinces in one warehouse, one file each: FOLDER/PERIOD_CODE.md."""
    return Path(folder) / (f"{period}_{province_code}.md" if province_code else f"{period}.md")


def period_label(key: str) -> str:
    """ "2021-H2" -> "6 tháng cuối năm 2021", in the catalogue's words."""
    year, half = periods.parse(key)
    return catalog.workbook()["periods"][f"H{half}"][1].format(year=year)


def next_period(key: str) -> str:
    year, half = periods.parse(key)
    return f"{year}-H2" if half == 1 else f"{year + 1}-H1"


def render(text: str, period: str, **names) -> str:
    """A setting of nhan_dinh.yaml with its {{ period.label }} / {{ next_period.label }} filled in."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    context = {
        "period": {"key": period, "label": period_label(period)},
        "next_period": {"key": next_period(period), "label": period_label(next_period(period))},
        **names,
    }
    return env.from_string(text).render(**context)


def placeholder(part: Part, period: str) -> str:
    """The line the report shows while a required part is empty (plain text, not yet Markdown)."""
    return render(settings()["placeholder"], period, what=render(part.what, period), heading=part.heading)


def blank(period: str) -> str:
    """The text of a new file: title, guide, and every part's heading with its hint in a comment."""
    s = settings()
    lines = [f"# {render(s['file_title'], period)}", "", f"<!--\n{s['file_guide'].strip()}\n-->", ""]
    for part in parts():
        mark = "" if part.required else f" {s['optional_mark']}"
        hint = textwrap.fill(render(part.hint, period).strip(), width=100, break_long_words=False)
        lines += [f"## {part.heading}{mark}", "", f"<!--\n{hint}\n-->", ""]
    return "\n".join(lines)


def _normal(heading: str) -> str:
    text = unicodedata.normalize("NFC", heading).casefold()
    text = _PARENTHESES.sub(" ", text)
    text = " ".join(text.split())
    text = _NUMBERING.sub("", text)
    return text.strip(" :.-–")


def parse(text: str) -> tuple[dict[str, str], list[str]]:
    """The file's text per part key (comments removed, paragraphs kept) and the headings that name no
    part. Text before the first `##` heading, other than the `#` title, is reported as unknown too."""
    by_heading = {_normal(p.heading): p.key for p in parts()}
    texts: dict[str, list[str]] = {}
    unknown: list[str] = []
    preamble: list[str] = []
    current = preamble
    for raw in _COMMENT.sub("", unicodedata.normalize("NFC", text)).splitlines():
        line = raw.rstrip()
        heading = _PART_HEADING.match(line.strip())
        if heading:
            key = by_heading.get(_normal(heading.group(1)))
            if key is None:
                unknown.append(heading.group(1))
                current = []  # its text stays in the file, not put under another part
            else:
                current = texts.setdefault(key, [])
                current.append("")  # the same heading twice: one part, paragraphs in file order
        elif current is preamble and _TITLE.match(line.strip()):
            continue
        else:
            current.append(line)
    if any(line.strip() for line in preamble):
        unknown.insert(0, "(trước đề mục đầu tiên)")
    joined = {key: "\n".join(lines).strip() for key, lines in texts.items()}
    return {key: text for key, text in joined.items() if text}, unknown


def _paragraphs(text: str) -> list[str]:
    out: list[str] = []
    para: list[str] = []

    def flush():
        if para:
            out.append(" ".join(para))
            para.clear()

    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            flush()
        elif line.startswith("- "):
            flush()
            out.append(line)
        else:
            para.append(line)
    flush()
    return out


def _create(path: Path, text: str) -> bool:
    """Write `text` to `path` only if no file is there; True when this call wrote it. The file appears
    whole or not at all (written aside, then linked in), so a build killed here leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8", newline="\n")
    try:
        os.link(temporary, path)
        return True
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links
        try:
            with open(path, "x", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            return True
        except FileExistsError:
            return False
    finally:
        temporary.unlink(missing_ok=True)


def read(path: Path) -> OfficeText:
    """The office text in `path`, never written to; a missing file gives every part empty."""
    path = Path(path)
    if not path.exists():
        return OfficeText(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return OfficeText(path, problem=f"tệp nhận định {path} không phải văn bản UTF-8; chưa đưa vào báo cáo")
    except OSError as exc:
        return OfficeText(path, problem=f"không đọc được tệp nhận định {path}: {exc.strerror or exc}")
    texts, unknown = parse(text)
    return OfficeText(path, texts, tuple(unknown))


def load(folder: str | Path, period: str, province_code: str | None = None) -> OfficeText:
    """The office text of `period`, the file created with its blank parts first when missing."""
    path = file_path(folder, period, province_code)
    created = False
    if not path.exists():
        try:
            created = _create(path, blank(period))
        except OSError as exc:
            return OfficeText(path, problem=f"không tạo được tệp nhận định {path}: {exc.strerror or exc}")
    office = read(path)
    return OfficeText(office.path, office.texts, office.unknown, created, office.problem)


def summary_lines(office: OfficeText) -> list[str]:
    """What `antq build` says about one office file (Vietnamese)."""
    if office.problem:
        return [office.problem]
    lines = []
    unfilled = office.unfilled
    state = "vừa tạo, " if office.created else ""
    if unfilled:
        lines.append(
            f"{office.path} ({state}{len(unfilled)} phần chưa viết: " + "; ".join(p.heading for p in unfilled) + ")"
        )
    else:
        lines.append(f"{office.path} ({state}đủ các phần bắt buộc)")
    if office.unknown:
        lines.append("đề mục không nhận ra, chưa đưa vào báo cáo: " + "; ".join(office.unknown))
    return lines
