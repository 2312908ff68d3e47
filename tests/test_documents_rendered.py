"""The demo's documents as a reader sees them: the report (.docx), its workbook and the auditors' workbook
converted to PDF by LibreOffice in one call (reports.preview), then read back with poppler: pages, where the
signature falls, page numbers, the seed's sentences, how many columns each printed page of a table holds.

Marked `rendering` (needs soffice and poppler-utils, which .ci/run installs); `-m "not rendering"` leaves
them out. ANTQ_DOCUMENTS_DIR=out/2021-H1 checks an existing period folder instead of the session's demo
build (a few seconds, for whoever is changing the layout).
"""

from __future__ import annotations

import csv
import functools
import json
import os
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from reports import atomic_folder, preview
from reports.report_context import SETTINGS_FILE

PERIOD = "2021-H1"
# the seed report (../shared/seed/000_5979688a1e777490.txt), kept in the repository so CI has it
SEED = Path(__file__).parent / "data" / "seed_2021-H1.txt"
SEED_HEAD_LINES = 3  # the seed's time stamp, its number and its headline, before the body
MAX_DOCX_PAGES = 10
MAX_BODY_PAGES = 5  # pages before the first annex
MIN_BODY_LINES_WITH_SIGNATURE = 2  # lines of body text above the signature block on its page
MIN_ANNEX_FIGURE_COLUMNS = 5
MIN_PRINTED_PT = 7  # the smallest type a reader can read on an A4 print of a table
MIN_PAGE_COLUMNS = 5  # a page of a table holds this many columns, or all of them when the table has fewer
MAX_PAGES = {f"bao_cao_{PERIOD}.xlsx": 16, "kiem_tra_du_lieu.xlsx": 12}
RECIPIENTS_LABEL = "Nơi nhận"  # the label of the recipients' list beside the signature (Decree 30/2020)

rendering = pytest.mark.rendering


@pytest.fixture(scope="module")
def documents(request, tmp_path_factory) -> dict:
    """The three documents of the demo period and their PDF, converted once for the module."""
    missing = preview.missing_tools()
    if missing:
        pytest.fail(
            f"missing {', '.join(missing)}: install LibreOffice and poppler-utils (.ci/run does, as root), "
            'or leave these tests out with -m "not rendering"'
        )
    override = os.environ.get("ANTQ_DOCUMENTS_DIR")
    folder = Path(override) if override else request.getfixturevalue("demo_build")["out"] / PERIOD
    names = [f"bao_cao_{PERIOD}.docx", f"bao_cao_{PERIOD}.xlsx", "kiem_tra_du_lieu.xlsx"]
    pdfs = preview.to_pdfs([folder / n for n in names], tmp_path_factory.mktemp("rendered"))
    return {"folder": folder, **{name: pdf for name, pdf in zip(names, pdfs)}}


@pytest.fixture(scope="module")
def docx(documents) -> dict:
    pdf = documents[f"bao_cao_{PERIOD}.docx"]
    return {
        "pdf": pdf,
        "pages": preview.pages_text(pdf),  # lines as laid out: what is above what
        "reading": preview.pages_text(pdf, mode="raw"),  # drawing order: a table cell's lines together
        "outline": preview.outline(pdf),
    }


@functools.cache
def words(pdf: Path) -> list[preview.Page]:
    return preview.pages_words(pdf)


def squash(text: str) -> str:
    """Text compared as a reader reads it: no whitespace at all (line breaks, justification, the blanks
    pdftotext adds), no soft hyphens, one Unicode form (NFKC: composed letters, "…" as "...")."""
    text = unicodedata.normalize("NFKC", text.replace("\u00ad", ""))
    return re.sub(r"\s+", "", text)


def is_page_number(line: str) -> bool:
    return re.fullmatch(r"\s*\d{1,3}\s*", line) is not None


def signature_lines(folder: Path) -> list[str]:
    """The signer's block as bao_cao.yaml sets it for the period's province (`signature`, then its entry in
    `signature_by_province`): its texts that are not empty and hold no {{ placeholder }}, top to bottom."""
    with open(SETTINGS_FILE, encoding="utf-8") as fh:
        settings = yaml.safe_load(fh)
    signature = settings.get("signature")
    assert isinstance(signature, dict) and signature, f"{SETTINGS_FILE.name} has no `signature` block"
    with open(folder / "indicators.csv", encoding="utf-8", newline="") as fh:
        provinces = {r["org_unit_code"] for r in csv.DictReader(fh) if r["org_unit_level"] == "province"}
    assert len(provinces) == 1, f"the period has {len(provinces)} provinces"
    own = (settings.get("signature_by_province") or {}).get(provinces.pop()) or {}
    lines = [v.strip() for v in {**signature, **own}.values() if isinstance(v, str)]  # not blank_lines
    return [line for line in lines if line and "{{" not in line]


@rendering
def test_docx_page_count(docx):
    pages = len(docx["pages"])
    annexes = [page for title, page in docx["outline"] if title.upper().startswith("PHỤ LỤC")]
    assert 3 <= pages <= MAX_DOCX_PAGES, f"the report has {pages} pages (expected 3 to {MAX_DOCX_PAGES})"
    assert annexes, f"no annex heading among the PDF bookmarks: {[t for t, _ in docx['outline']]}"
    assert annexes[0] - 1 <= MAX_BODY_PAGES, (
        f"the body (before the first annex, page {annexes[0]}) has {annexes[0] - 1} pages, more than {MAX_BODY_PAGES}"
    )


@rendering
def test_signature_shares_its_page_with_body_text(documents, docx):
    wanted = signature_lines(documents["folder"])
    pages = [i for i, text in enumerate(docx["reading"]) if all(squash(w) in squash(text) for w in wanted)]
    assert pages, f"no page holds the whole signer's block {wanted}"
    text = docx["pages"][pages[0]]
    lines = text.splitlines()
    markers = [squash(m) for m in (RECIPIENTS_LABEL, *wanted)]
    top = next((i for i, line in enumerate(lines) if any(m in squash(line) for m in markers)), None)
    assert top is not None, f"page {pages[0] + 1}: no line with {RECIPIENTS_LABEL!r} or the signer's title"
    body = [line.strip() for line in lines[:top] if line.strip() and not is_page_number(line)]
    assert len(body) >= MIN_BODY_LINES_WITH_SIGNATURE, (
        f"page {pages[0] + 1} holds the signer's block with {len(body)} line(s) of body text above it "
        f"(at least {MIN_BODY_LINES_WITH_SIGNATURE}): {body}"
    )


@rendering
def test_page_numbers_at_the_top_from_page_two(docx):
    """Decree 30/2020: no number on the first page; from the second, the number at the top of the page."""
    pages = docx["pages"]
    annexes = [page for title, page in docx["outline"] if title.upper().startswith("PHỤ LỤC")]
    body_end = annexes[0] - 1 if annexes else len(pages)
    first = [line.strip() for line in pages[0].splitlines() if is_page_number(line)]
    assert not first, f"page 1 carries a page number: {first}"
    assert body_end >= 2, "the body has a single page"
    for n in range(2, body_end + 1):
        lines = [line.strip() for line in pages[n - 1].splitlines() if line.strip()]
        assert lines and lines[0] == str(n), f"page {n} does not begin with its number: {lines[:1]} … {lines[-1:]}"


def seed_phrases() -> list[str]:
    """The seed report's body (without its first SEED_HEAD_LINES lines and its last, the author), cut into
    phrases at the ends of sentences and at ';' and ':'."""
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    phrases = []
    for paragraph in lines[SEED_HEAD_LINES:-1]:
        phrases += [p for p in re.split(r"(?<=[.;:…])\s+", paragraph) if len(p.split()) >= 3]
    return phrases


@rendering
def test_every_seed_phrase_is_in_the_report(docx):
    phrases = seed_phrases()
    assert len(phrases) > 50, f"the seed gave {len(phrases)} phrases"
    text = squash("\n".join(line for page in docx["reading"] for line in page.splitlines() if not is_page_number(line)))
    missing = [p for p in phrases if squash(p) not in text]
    shown = "\n".join(f"  - {p}" for p in missing[:15])
    assert not missing, f"{len(missing)} of the seed's {len(phrases)} phrases are not in the report:\n{shown}"


_FIGURE = re.compile(r"[+\-−]?\(?\d[\d.,]*%?\)?")
_BOX_PER_PT = 1.3  # height of pdftotext's word box per point of type (Liberation Serif; 13 pt body: 16.9)


def unit_rows(page: preview.Page) -> list[tuple[str, list[str]]]:
    """The rows of a per-unit table on a page as (unit name, figures after it): rows reading
    [STT] [code] name figure…, whatever the gaps between cells (a small print joins neighbouring cells)."""
    out = []
    for cells in preview.rows(page):
        tokens = " ".join(cells).split()
        text = [i for i, w in enumerate(tokens) if not _FIGURE.fullmatch(w)]
        if text and text[0] <= 2 and text[-1] - text[0] == len(text) - 1 and text[-1] < len(tokens) - 1:
            out.append((" ".join(tokens[text[0] : text[-1] + 1]), tokens[text[-1] + 1 :]))
    return out


@rendering
def test_annex_pages_hold_five_columns_of_figures(documents):
    """Each printed page of the per-district annex holds at least MIN_ANNEX_FIGURE_COLUMNS columns of
    figures (the repeated STT, code and name columns not counted): no page of slivers."""
    from reports.xlsx_report import SHEETS

    pdf = documents[f"bao_cao_{PERIOD}.xlsx"]
    sheets = preview.sheet_pages(pdf)
    assert SHEETS["annex"] in sheets, f"no sheet {SHEETS['annex']!r} among the PDF bookmarks {list(sheets)}"
    pages = words(pdf)
    counts = {n: max((len(f) for _, f in unit_rows(pages[n - 1])), default=0) for n in sheets[SHEETS["annex"]]}
    thin = {n: c for n, c in counts.items() if c < MIN_ANNEX_FIGURE_COLUMNS}
    assert not thin, (
        f"pages of the annex with fewer than {MIN_ANNEX_FIGURE_COLUMNS} columns of figures (page: columns): "
        f"{thin}; every annex page: {counts}"
    )


@rendering
def test_annex_figures_are_printed_large_enough(documents):
    """Fitting the whole annex on one page must not shrink its figures below MIN_PRINTED_PT on A4."""
    from reports.xlsx_report import SHEETS

    pdf = documents[f"bao_cao_{PERIOD}.xlsx"]
    pages = words(pdf)
    sizes = {}
    for n in preview.sheet_pages(pdf)[SHEETS["annex"]]:
        figures = {w for _, f in unit_rows(pages[n - 1]) for w in f}
        heights = sorted(w.y1 - w.y0 for w in pages[n - 1].words if w.text in figures)
        if heights:
            sizes[n] = round(heights[len(heights) // 2] / _BOX_PER_PT, 1)
    small = {n: pt for n, pt in sizes.items() if pt < MIN_PRINTED_PT}
    assert sizes and not small, f"annex figures printed at (page: points) {sizes}; at least {MIN_PRINTED_PT} pt"


@rendering
@pytest.mark.parametrize("name", list(MAX_PAGES))
def test_workbook_pages_hold_their_columns(documents, name):
    """Every printed page of a sheet holds at least MIN_PAGE_COLUMNS of its columns (all of them when it has
    fewer): a table cut into slivers of one to three columns cannot be read on paper. The annex has its
    own rule (above); a sheet of pictures has no table."""
    import openpyxl

    from reports.xlsx_report import SHEETS

    pdf = documents[name]
    total = preview.page_count(pdf)
    wb = openpyxl.load_workbook(documents["folder"] / name)
    pages = words(pdf)
    thin = {}
    for sheet, numbers in preview.sheet_pages(pdf).items():
        ws = wb[sheet]
        if (sheet == SHEETS["annex"] and name.startswith("bao_cao_")) or ws._images:  # openpyxl: no public API
            continue
        need = min(MIN_PAGE_COLUMNS, ws.max_column)
        for n in numbers:
            held = max((len(cells) for cells in preview.rows(pages[n - 1])), default=0)
            if held < need:
                thin.setdefault(sheet, []).append(f"page {n}: {held}/{need}")
    assert not thin, f"{name}: pages holding too few columns (held/needed): {thin}"
    assert total <= MAX_PAGES[name], f"{name} prints on {total} pages (at most {MAX_PAGES[name]})"


@rendering
def test_no_escaped_or_control_characters(documents):
    """A line break or control character in a cell must not reach the page as `_x000D_`, a control
    picture (␍, ⏎) or a replacement character."""
    bad = re.compile(r"_x[0-9A-Fa-f]{4}_|[\u2400-\u243f\u23ce\ufffd]|[\x00-\x08\x0b\x0e-\x1f\x7f]")
    found = {}
    for name in (f"bao_cao_{PERIOD}.docx", f"bao_cao_{PERIOD}.xlsx", "kiem_tra_du_lieu.xlsx"):
        for n, text in enumerate(preview.pages_text(documents[name], mode="raw"), start=1):
            hits = [text[max(0, m.start() - 30) : m.end() + 10] for m in bad.finditer(text)]
            if hits:
                found[f"{name} page {n}"] = hits[:3]
    assert not found, f"escaped or control characters on the page: {found}"


@rendering
def test_file_names_are_printed_as_named(documents):
    """Every inbox file of the period appears in both workbooks as it is named: a name holding `_xa_`
    (the demo's "…_xa_song_luy.xlsx") is read by Excel and LibreOffice as an `_xHHHH_` code unless
    escaped, and printed with a line break in place of "_xa_"."""
    with open(documents["folder"] / "manifest.json", encoding="utf-8") as fh:
        names = [f["source_file"] for f in json.load(fh)["inputs"]]
    assert names, "the manifest lists no input file"
    lost = {}
    for workbook in (f"bao_cao_{PERIOD}.xlsx", "kiem_tra_du_lieu.xlsx"):
        text = squash("".join(preview.pages_text(documents[workbook], mode="raw")))
        missing = [n for n in names if squash(n) not in text]
        if missing:
            lost[workbook] = f"{len(missing)} of {len(names)}, e.g. {missing[:3]}"
    assert not lost, f"file names not printed as named: {lost}"


@rendering
def test_to_png_writes_pages(documents, tmp_path):
    pngs = preview.to_png(documents[f"bao_cao_{PERIOD}.docx"], tmp_path, dpi=20, first=1, last=2)
    assert len(pngs) == 2
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)


def test_preview_cli_refuses_a_period_without_output(tmp_path, capsys):
    assert preview.main(["2099-H1", "--out", str(tmp_path)]) == 2
    assert "chưa có kết quả của kỳ 2099-H1" in capsys.readouterr().out
    with pytest.raises(preview.RenderError, match="không có tệp"):
        preview.to_pdfs([tmp_path / "khong_co.docx"], tmp_path / "pdf")


def test_carry_forward_leaves_the_preview_behind(tmp_path):
    """Pictures of the previous documents must not appear beside the new ones."""
    previous, folder = tmp_path / "old", tmp_path / "new"
    for relative in ("indicators.csv", "preview/bao_cao.docx.pdf", "preview/bao_cao.docx/trang-1.png"):
        (previous / relative).parent.mkdir(parents=True, exist_ok=True)
        (previous / relative).write_bytes(b"x")
    (previous / ".preview-123").mkdir()
    (previous / ".preview-123" / "half.png").write_bytes(b"x")
    folder.mkdir()
    assert atomic_folder.carry_forward(folder, previous) == ["indicators.csv"]
    assert not (folder / "preview").exists()
