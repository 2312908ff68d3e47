"""The second bundled demo: the new Lâm Đồng (68) after the reform of 1 July 2025, with no district level
(the former provinces Bình Thuận 60, Đắk Nông 67 and Lâm Đồng 68 merged into it).

    make_register  register/ from the maintained libraries (registers/), invented villages and agencies: the
                   former provinces' units until 30/06/2025 and the new province's since, in one folder
    scenario       what every workbook of 2025-H1 (before the reform), 2025-H2 and 2026-H1 says, and the
                   figures a build must give

`python -m demo.generate --demo lam-dong-2025` writes inbox/ (all three periods) and targets.csv;
`antq build 2026-H1 --demo lam-dong-2025` builds it into a warehouse and output folder of its own."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
REGISTER = HERE / "register"
INBOX = HERE / "inbox"
TARGETS = HERE / "targets.csv"
PROVINCE = "68"
FORMER_PROVINCES = ("60", "67", "68")
