"""The `antq` command line's arguments, in Vietnamese from frame to error.

argparse writes its frame ("usage:", "options:", "show this help message and exit") and its errors in
English; the people who run antq read Vietnamese. `VietnameseParser` gives the frame Vietnamese words and
turns argparse's usual errors into Vietnamese ones, keeping the exit status 2 of contract section 7.
Plain Python: no Dagster here."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from orchestration import warehouse_lock
from orchestration.defaults import (
    DEFAULT_OUT,
    DEFAULT_TEMPLATES,
    DEFAULT_WAREHOUSE,
    DEMO_INBOX,
    DEMO_REGISTER,
    DEMOS,
)

# argparse's messages (Python 3.11-3.13) and what they say in Vietnamese
_ERRORS = [
    (re.compile(r"the following arguments are required: (.+)"), "thiếu tham số bắt buộc: {0}"),
    (
        re.compile(r"argument (\S+): invalid choice: '?([^' ]+)'? \(choose from (.+)\)"),
        '{0}: không có lựa chọn "{1}" (chọn một trong: {2})',
    ),
    (re.compile(r"argument (\S+): invalid (\w+) value: '(.*)'"), '{0}: "{2}" không phải là một số'),
    (re.compile(r"argument (\S+): expected one argument"), "{0}: cần một giá trị"),
    (re.compile(r"unrecognized arguments: (.+)"), "không nhận ra tham số: {0}"),
    (re.compile(r"argument (\S+): ignored explicit argument '(.*)'"), '{0}: không nhận giá trị "{1}"'),
]


def vietnamese_error(message: str) -> str:
    for pattern, text in _ERRORS:
        match = pattern.fullmatch(message)
        if match:
            return text.format(*match.groups())
    return message


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="cách dùng: " if prefix is None else prefix)


class VietnameseParser(argparse.ArgumentParser):
    """argparse with a Vietnamese frame and Vietnamese errors."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "tham số"
        self._optionals.title = "tùy chọn"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="in hướng dẫn này rồi thoát")

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {vietnamese_error(message)}\n")


def _register_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--register",
        type=Path,
        default=DEMO_REGISTER,
        metavar="THƯ_MỤC",
        help="thư mục danh mục: org_units.csv, agencies.csv (mặc định: %(default)s)",
    )


def _demo_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--demo",
        choices=list(DEMOS),
        default=None,
        metavar="BỘ_MẪU",
        help="dùng bộ dữ liệu mẫu đi kèm làm mặc định cho hộp thư, danh mục, thư mục kết quả và kho dữ liệu: "
        + ", ".join(DEMOS)
        + " (tỉnh Lâm Đồng mới, cơ cấu hai cấp); mỗi bộ mẫu có thư mục kết quả và kho dữ liệu riêng",
    )


def apply_demo(args: argparse.Namespace) -> argparse.Namespace:
    """`--demo NAME`: the options left at the first demo's defaults take NAME's folders instead; an option
    given on the command line keeps its value."""
    if getattr(args, "demo", None) is None:
        return args
    first, demo = next(iter(DEMOS.values())), DEMOS[args.demo]
    for option in ("inbox", "register", "warehouse"):
        if getattr(args, option, None) == getattr(first, option):
            setattr(args, option, getattr(demo, option))
    if args.command == "template" and args.out == first.templates:
        args.out = demo.templates
    elif args.command == "build" and args.out == first.out:
        args.out = demo.out
    return args


def parser() -> argparse.ArgumentParser:
    p = VietnameseParser(
        prog="antq", description="Lập số liệu báo cáo 6 tháng phong trào Toàn dân bảo vệ an ninh Tổ quốc"
    )
    sub = p.add_subparsers(dest="command", required=True, title="lệnh", metavar="LỆNH")
    b = sub.add_parser(
        "build",
        help="lập số liệu, kiểm tra và báo cáo của một kỳ (vd. 2021-H1)",
        description="Lập số liệu, kiểm tra chất lượng dữ liệu và báo cáo của một kỳ 6 tháng; "
        "các tệp được công bố trong OUT/KỲ một lần, đủ bộ",
    )
    b.add_argument("period", metavar="KỲ", help="kỳ báo cáo: 2021-H1 (6 tháng đầu năm) hoặc 2021-H2 (6 tháng cuối năm)")
    b.add_argument(
        "--inbox",
        type=Path,
        default=DEMO_INBOX,
        metavar="THƯ_MỤC",
        help="thư mục chứa các tệp báo cáo .xlsx, tìm cả thư mục con (mặc định: %(default)s)",
    )
    _register_argument(b)
    _demo_argument(b)
    b.add_argument(
        "--office-text",
        type=Path,
        default=None,
        metavar="THƯ_MỤC",
        help="thư mục nhận định của Phòng, mỗi kỳ một tệp KỲ.md (bối cảnh, tuyên truyền, tồn tại, phương hướng…), "
        "tạo với các đề mục trống khi chưa có và không bao giờ bị ghi đè "
        "(mặc định: thư mục nhan_dinh bên cạnh hộp thư)",
    )
    b.add_argument(
        "--reviews",
        type=Path,
        default=None,
        metavar="THƯ_MỤC",
        help="thư mục kết luận của người kiểm tra: các bản sao kiem_tra_du_lieu.xlsx đã điền cột Kết luận, "
        "đọc lại mỗi lần lập (mặc định: thư mục ket_luan bên cạnh hộp thư)",
    )
    b.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="THƯ_MỤC",
        help="thư mục kết quả; mỗi kỳ một thư mục con (mặc định: %(default)s)",
    )
    b.add_argument(
        "--warehouse",
        type=Path,
        default=DEFAULT_WAREHOUSE,
        metavar="TỆP",
        help="tệp DuckDB của kho dữ liệu (mặc định: %(default)s)",
    )
    b.add_argument(
        "--wait",
        type=float,
        default=warehouse_lock.DEFAULT_WAIT_S,
        metavar="GIÂY",
        help="số giây chờ khi một lệnh antq build khác đang dùng kho dữ liệu (mặc định: %(default)g); "
        "kho bị chương trình khác giữ thì dừng ngay",
    )
    b.add_argument(
        "--rebuild-warehouse",
        action="store_true",
        help="dựng lại kho dữ liệu từ hộp thư và danh mục (kho cũ được đổi tên và giữ lại bên cạnh; "
        "lịch sử phát hiện được khôi phục)",
    )
    b.add_argument("--verbose", action="store_true", help="in nhật ký chi tiết của Dagster và dbt ra màn hình")
    t = sub.add_parser(
        "template",
        help="tạo biểu mẫu báo cáo trống của một kỳ cho mọi đơn vị trong danh mục",
        description="Tạo biểu mẫu báo cáo trống (.xlsx) của một kỳ cho mọi đơn vị phải báo cáo",
    )
    t.add_argument("period", metavar="KỲ", help="kỳ báo cáo, vd. 2021-H1")
    t.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_TEMPLATES,
        metavar="THƯ_MỤC",
        help="thư mục ghi biểu mẫu, mỗi kỳ một thư mục con (mặc định: %(default)s)",
    )
    _register_argument(t)
    _demo_argument(t)
    _approval_commands(sub)
    _register_command(sub)
    return p


def _register_command(sub) -> None:
    """`antq register`: a register folder of one province from the maintained lists (registers/)."""
    g = sub.add_parser(
        "register",
        help="tạo danh mục đơn vị hành chính của một tỉnh (org_units.csv, agencies.csv, crosswalk.csv)",
        description="Tạo thư mục danh mục của một tỉnh từ danh sách đơn vị hành chính được duy trì "
        "(vietnam-provinces, vietnamadminunits): tỉnh và các xã theo cơ cấu 2025 (từ 01/07/2025, không còn "
        "cấp huyện) kèm bảng chuyển đổi xã cũ -> xã mới, hoặc tỉnh, huyện, xã theo cơ cấu trước 01/07/2025; "
        "thôn, khu phố và cơ quan, doanh nghiệp, nhà trường do Phòng tự bổ sung",
    )
    g.add_argument(
        "province", metavar="TỈNH", help='tên hoặc mã tỉnh, không phân biệt dấu, hoa thường (vd. "lam dong", 68)'
    )
    g.add_argument(
        "--structure",
        choices=("2025", "2021"),
        default="2025",
        metavar="CƠ_CẤU",
        help="2025: 34 tỉnh, xã trực thuộc tỉnh, có crosswalk.csv; 2021: 63 tỉnh, huyện, xã (danh sách trước "
        "01/07/2025) (mặc định: %(default)s)",
    )
    g.add_argument("--out", type=Path, required=True, metavar="THƯ_MỤC", help="thư mục ghi danh mục")
    g.add_argument("--force", action="store_true", help="ghi đè các tệp danh mục đã có trong thư mục")


def _approval_commands(sub) -> None:
    """`antq approve` and `antq reopen`: the sign-off of a period (reports.approvals)."""
    a = sub.add_parser(
        "approve",
        help="phê duyệt bộ tệp đang công bố của một kỳ (các lần lập sau không thay được bộ tệp này)",
        description="Ghi nhận người phê duyệt lần phát hành đang công bố của một kỳ (số lần phát hành, SHA-256 "
        "của manifest.json) vào OUT/.approvals/KỲ.jsonl; từ đó antq build vẫn cập nhật kho dữ liệu nhưng không "
        "thay bộ tệp đang công bố cho đến khi kỳ được mở lại bằng antq reopen",
    )
    r = sub.add_parser(
        "reopen",
        help="mở lại một kỳ đã phê duyệt để lần lập sau được công bố lại",
        description="Ghi nhận người mở lại một kỳ đã phê duyệt và lý do; lần antq build sau công bố bình thường. "
        "Mọi lần phê duyệt và mở lại đều được giữ trong OUT/.approvals/KỲ.jsonl",
    )
    for command, verb in ((a, "phê duyệt"), (r, "mở lại")):
        command.add_argument("period", metavar="KỲ", help="kỳ báo cáo, vd. 2021-H1")
        command.add_argument("--by", required=True, metavar="HỌ_TÊN", help=f"họ tên (và chức vụ) người {verb}")
    r.add_argument("--reason", required=True, metavar="LÝ_DO", help="lý do mở lại (vd. xã gửi lại số liệu đã sửa)")
    for command in (a, r):
        command.add_argument(
            "--out",
            type=Path,
            default=DEFAULT_OUT,
            metavar="THƯ_MỤC",
            help="thư mục kết quả của antq build (mặc định: %(default)s)",
        )
        command.add_argument(
            "--warehouse",
            type=Path,
            default=DEFAULT_WAREHOUSE,
            metavar="TỆP",
            help="tệp DuckDB của kho dữ liệu, để giao diện Dagster của kho này hiện việc phê duyệt "
            "(mặc định: %(default)s)",
        )
