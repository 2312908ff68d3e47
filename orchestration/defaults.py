"""Where antq reads and writes when no option says otherwise (contract section 7: the bundled demo).
Plain Python, so the CLI can check its arguments and write templates without importing Dagster."""

from dataclasses import dataclass
from pathlib import Path

from catalog import REPO

DEMO_INBOX = REPO / "demo" / "inbox"
DEMO_REGISTER = REPO / "demo" / "register"
DEMO_OFFICE_TEXT = REPO / "demo" / "nhan_dinh"  # the office's words of the demo: `nhan_dinh` beside its inbox
DEFAULT_OUT = REPO / "out"
DEFAULT_WAREHOUSE = REPO / "var" / "warehouse.duckdb"
DEFAULT_TEMPLATES = DEFAULT_OUT / "templates"


@dataclass(frozen=True)
class Demo:
    """A bundled demo's folders: `--demo NAME` makes them the defaults. Each demo has its own output
    folder and warehouse, so two demos never share a warehouse."""

    inbox: Path
    register: Path
    out: Path
    warehouse: Path

    @property
    def templates(self) -> Path:
        return self.out / "templates"


# the first is the default of every option; `python -m demo.generate --demo NAME` writes each inbox
DEMOS = {
    "binh-thuan-2021": Demo(DEMO_INBOX, DEMO_REGISTER, DEFAULT_OUT, DEFAULT_WAREHOUSE),
    "lam-dong-2025": Demo(
        REPO / "demo" / "lam_dong_2025" / "inbox",
        REPO / "demo" / "lam_dong_2025" / "register",
        DEFAULT_OUT / "lam_dong_2025",
        DEFAULT_WAREHOUSE.parent / "lam_dong_2025" / "warehouse.duckdb",
    ),
}


def office_text_folder(given: str | Path | None, inbox: str | Path) -> Path:
    """The office's words: the folder given (--office-text), else `nhan_dinh` beside the inbox."""
    from reports import office_text

    return Path(given).resolve() if given else office_text.default_folder(inbox)


def review_folder(given: str | Path | None, inbox: str | Path) -> Path:
    """The auditors' review files: the folder given (--reviews), else `ket_luan` beside the inbox."""
    from ingestion import reviews

    return Path(given).resolve() if given else reviews.default_folder(inbox)
