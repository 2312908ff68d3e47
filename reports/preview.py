"""The period's documents as a reader sees them: PDF through LibreOffice (`soffice --headless`), then text,
words with their positions, sheet bookmarks and PNG pages through poppler (pdftotext, pdfinfo, pdftohtml,
pdftoppm). Used by tests/test_documents_rendered.py and by `make preview`; never by a build.

`python -m reports.preview PERIOD [--out OUT]` renders OUT/PERIOD's bao_cao_*.docx, bao_cao_*.xlsx and
kiem_tra_du_lieu.xlsx to OUT/PERIOD/preview/: one PDF per document and its pages as PNG, so a person can
look at them without Office. preview/ is not a published file: it is not in the manifest, and a later build
does not carry it into its folder (reports.atomic_folder.carry_forward), since it shows the old documents.

LibreOffice runs with a private profile per call (parallel test workers would otherwise wait on one
profile's lock) and the Vietnamese locale, so numbers read 45.379 and 90,41% as on an office computer.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from reports.atomic_folder import PREVIEW

SOFFICE_TIMEOUT = 240  # seconds for one conversion call (a cold start on a busy machine included)
TOOL_TIMEOUT = 60  # seconds for one poppler call
LOCALE = "vi_VN.UTF-8"
DPI = 80  # PNG pages: about 660 x 935 px for A4, readable and small
DOCUMENT_GLOBS = ("bao_cao_*.docx", "bao_cao_*.xlsx", "kiem_tra_du_lieu.xlsx")

_INSTALL_HINT = (
    "cài LibreOffice và poppler-utils (Debian: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui "
    "poppler-utils fonts-liberation; .ci/run tự cài khi chạy với quyền root)"
)


class RenderError(RuntimeError):
    """A document could not be rendered; the message is for the user, in Vietnamese."""


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: list[Word]

    @property
    def landscape(self) -> bool:
        return self.width > self.height


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def missing_tools() -> list[str]:
    """The programs this module needs that are not on PATH."""
    missing = [] if soffice() else ["soffice (LibreOffice)"]
    return missing + [t for t in ("pdftotext", "pdfinfo", "pdftohtml", "pdftoppm") if not shutil.which(t)]


def pdf_name(path: Path) -> str:
    """The PDF's name keeps the document's extension (bao_cao_2021-H1.docx.pdf), so the .docx and the .xlsx
    of one report do not overwrite each other."""
    return f"{Path(path).name}.pdf"


def to_pdfs(paths: list[Path], out_dir: Path, *, timeout: float = SOFFICE_TIMEOUT) -> list[Path]:
    """Convert the documents to PDF under `out_dir` in one LibreOffice call (one start, ~3 s, for all).
    The documents are copied to a private folder first: LibreOffice then writes no lock file beside the
    published ones, and the copies' names give each PDF a distinct name (pdf_name)."""
    paths = [Path(p) for p in paths]
    exe = soffice()
    if exe is None:
        raise RenderError(f"không tìm thấy LibreOffice (lệnh soffice) để chuyển tài liệu sang PDF: {_INSTALL_HINT}")
    for p in paths:
        if not p.is_file():
            raise RenderError(f"không có tệp {p}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pdfs = [out_dir / pdf_name(p) for p in paths]
    for pdf in pdfs:
        pdf.unlink(missing_ok=True)  # an old PDF must not pass for a new one
    with tempfile.TemporaryDirectory(prefix="antq-soffice-") as tmp:
        tmp = Path(tmp)
        inputs = []
        for p in paths:
            copy = tmp / "in" / f"{p.name}{p.suffix}"  # a.docx -> a.docx.docx -> a.docx.pdf
            copy.parent.mkdir(exist_ok=True)
            shutil.copyfile(p, copy)
            inputs.append(copy)
        cmd = [
            exe,
            f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nologo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            *map(str, inputs),
        ]
        env = {**os.environ, "LC_ALL": LOCALE, "LANG": LOCALE}
        result = _run(cmd, timeout, env=env, what="LibreOffice")
    missing = [p.name for p, pdf in zip(paths, pdfs) if not pdf.is_file()]
    if missing:
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise RenderError(
            f"LibreOffice không chuyển được sang PDF: {', '.join(missing)}"
            + (f" ({' '.join(detail)})" if detail else "")
        )
    return pdfs


def to_pdf(path: Path, out_dir: Path, *, timeout: float = SOFFICE_TIMEOUT) -> Path:
    """One document to PDF (see to_pdfs; several documents are cheaper in one call)."""
    return to_pdfs([path], out_dir, timeout=timeout)[0]


def page_count(pdf: Path) -> int:
    out = _tool(["pdfinfo", str(pdf)]).stdout
    match = re.search(r"^Pages:\s+(\d+)", out, re.MULTILINE)
    if not match:
        raise RenderError(f"pdfinfo không đọc được số trang của {pdf}")
    return int(match.group(1))


def pages_text(pdf: Path, *, mode: str = "layout") -> list[str]:
    """The text of each page as pdftotext reads it. mode "layout": lines and columns kept in place (what is
    beside or above what); "raw": the order the text was drawn in (a table cell's lines together, and
    nothing rejoined: the default reading order drops a hyphen that ends a line, "2021 -" before "2026")."""
    if mode not in ("layout", "raw"):
        raise ValueError(f"mode {mode!r}")
    out = _tool(["pdftotext", "-enc", "UTF-8", f"-{mode}", str(pdf), "-"]).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pages_words(pdf: Path) -> list[Page]:
    """Each page's size and words with their boxes (points, origin top left), from pdftotext -bbox."""
    out = _tool(["pdftotext", "-enc", "UTF-8", "-bbox", str(pdf), "-"]).stdout
    pages = []
    for m in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.DOTALL):
        words = [
            Word(html.unescape(w[4]), float(w[0]), float(w[1]), float(w[2]), float(w[3]))
            for w in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', m.group(3)
            )
        ]
        pages.append(Page(float(m.group(1)), float(m.group(2)), words))
    return pages


def outline(pdf: Path) -> list[tuple[str, int]]:
    """The PDF's bookmarks as (title, page from 1), in order, every level: a workbook's sheet names, a Word
    document's headings."""
    out = _tool(["pdftohtml", "-xml", "-i", "-q", "-stdout", "-f", "1", "-l", "1", str(pdf)]).stdout
    return [(html.unescape(t).strip(), int(p)) for p, t in re.findall(r'<item page="(\d+)">(.*?)</item>', out)]


def sheet_pages(pdf: Path) -> dict[str, range]:
    """The pages (from 1) of each sheet of a workbook's PDF, from the bookmarks LibreOffice writes per sheet."""
    marks = outline(pdf)
    total = page_count(pdf)
    ends = [p for _, p in marks[1:]] + [total + 1]
    return {name: range(first, end) for (name, first), end in zip(marks, ends)}


def rows(page: Page) -> list[list[str]]:
    """The page's lines of text, top to bottom, each split into cells: words closer than about half a
    character height stay in one cell, a wider gap starts the next (table columns, side-by-side blocks)."""
    lines: list[list[Word]] = []
    for w in sorted(page.words, key=lambda w: ((w.y0 + w.y1) / 2, w.x0)):
        middle, height = (w.y0 + w.y1) / 2, w.y1 - w.y0
        if lines and abs(middle - (lines[-1][0].y0 + lines[-1][0].y1) / 2) < 0.4 * height:
            lines[-1].append(w)
        else:
            lines.append([w])
    out = []
    for line in lines:
        line.sort(key=lambda w: w.x0)
        cells = [[line[0]]]
        for prev, w in zip(line, line[1:]):
            if w.x0 - prev.x1 > 0.55 * (w.y1 - w.y0):
                cells.append([w])
            else:
                cells[-1].append(w)
        out.append([" ".join(w.text for w in cell) for cell in cells])
    return out


def to_png(
    pdf: Path,
    out_dir: Path,
    *,
    dpi: int = DPI,
    prefix: str = "trang",
    first: int | None = None,
    last: int | None = None,
) -> list[Path]:
    """The PDF's pages (or pages first..last) as PNG files out_dir/PREFIX-01.png, … (pdftoppm)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    _tool(["pdftoppm", "-r", str(dpi), *pages, "-png", str(pdf), str(out_dir / prefix)], timeout=TOOL_TIMEOUT * 3)
    return sorted(out_dir.glob(f"{prefix}-*.png"))


def period_documents(period_dir: Path) -> list[Path]:
    """The documents a person reads in a period's folder, in a fixed order."""
    return [p for pattern in DOCUMENT_GLOBS for p in sorted(Path(period_dir).glob(pattern)) if p.is_file()]


def preview(period_dir: Path, *, dpi: int = DPI) -> dict[Path, list[Path]]:
    """Render the period's documents to period_dir/preview/: NAME.pdf and NAME/trang-NN.png per document.
    The new preview replaces the old one whole."""
    period_dir = Path(period_dir)
    documents = period_documents(period_dir)
    if not documents:
        raise RenderError(f"không có báo cáo nào (bao_cao_*.docx, .xlsx, kiem_tra_du_lieu.xlsx) trong {period_dir}")
    target = period_dir / PREVIEW
    staging = period_dir / f".{PREVIEW}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        pdfs = to_pdfs(documents, staging)
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # one pdftoppm per document
            pngs = pool.map(lambda pdf: to_png(pdf, staging / pdf.name.removesuffix(".pdf"), dpi=dpi), pdfs)
            pages = dict(zip(pdfs, pngs))
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {target / pdf.name: [target / p.relative_to(staging) for p in pngs] for pdf, pngs in pages.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reports.preview",
        description="Xem trước báo cáo của một kỳ: chuyển văn bản Word và bảng Excel sang PDF và ảnh PNG "
        "từng trang trong OUT/KỲ/preview/, để xem mà không cần Office (không thuộc bộ tệp công bố).",
    )
    parser.add_argument("period", metavar="KỲ", help="kỳ báo cáo, ví dụ 2021-H1")
    parser.add_argument("--out", type=Path, default=Path("out"), help="thư mục kết quả (mặc định: out)")
    parser.add_argument("--dpi", type=int, default=DPI, help=f"độ phân giải ảnh PNG (mặc định: {DPI})")
    args = parser.parse_args(argv)
    period_dir = args.out / args.period
    if not period_dir.is_dir():
        print(f"Lỗi: chưa có kết quả của kỳ {args.period} trong {args.out} (chạy antq build {args.period} trước)")
        return 2
    missing = missing_tools()
    if missing:
        print(f"Lỗi: thiếu chương trình {', '.join(missing)}: {_INSTALL_HINT}")
        return 2
    try:
        rendered = preview(period_dir, dpi=args.dpi)
    except RenderError as exc:
        print(f"Lỗi: {exc}")
        return 1
    print(f"Xem trước kỳ {args.period}: {period_dir / PREVIEW}")
    for pdf, pngs in rendered.items():
        print(f"  - {pdf.name}: {len(pngs)} trang, ảnh trong {pdf.name.removesuffix('.pdf')}/")
    return 0


def _tool(cmd: list[str], timeout: float = TOOL_TIMEOUT) -> subprocess.CompletedProcess:
    if not shutil.which(cmd[0]):
        raise RenderError(f"không tìm thấy lệnh {cmd[0]}: {_INSTALL_HINT}")
    result = _run(cmd, timeout, what=cmd[0])
    if result.returncode != 0:
        subject = next((c for c in cmd if c.endswith(".pdf")), cmd[-1])
        raise RenderError(f"{cmd[0]} báo lỗi với {subject}: {result.stderr.strip()[-300:]}")
    return result


def _run(cmd: list[str], timeout: float, *, what: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `cmd` in its own process group, so a timeout ends it and every child it started."""
    with subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        encoding="utf-8",
        errors="replace",
        env=env,
        start_new_session=True,
    ) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise RenderError(f"{what} chạy quá {timeout:.0f} giây và đã bị dừng") from None
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)


if __name__ == "__main__":
    sys.exit(main())
