"""Where antq reads and writes when no option says otherwise (contract section 7: the bundled demo).
Plain Python, so the CLI can check its arguments and write templates without importing Dagster."""

from catalog import REPO

DEMO_INBOX = REPO / "demo" / "inbox"
DEMO_REGISTER = REPO / "demo" / "register"
DEMO_OFFICE_TEXT = REPO / "demo" / "nhan_dinh"  # the office's words of the demo: `nhan_dinh` beside its inbox
DEFAULT_OUT = REPO / "out"
DEFAULT_WAREHOUSE = REPO / "var" / "warehouse.duckdb"
DEFAULT_TEMPLATES = DEFAULT_OUT / "templates"
