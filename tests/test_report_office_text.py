"""The office's own words in the report (issue 10): the parts no figure can write come from an editable
file per period (reports.office_text, nhan_dinh/PERIOD.md beside the inbox), merged at every build.

The file is created with its headings when missing and never written again; an empty required part is
a visible placeholder, listed by `antq build` and in the report asset's metadata. The demo's filled file
gives back every sentence of the seed report, in the seed's order of parts, the body ending with "./.".
Most tests render the demo's figures (the session's demo build) with `period_report.write_report`; one
runs `antq build` on a copy of the demo whose office folder is missing.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import duckdb
import pytest
from build_helpers import build, copy_build

from orchestration import cli
from orchestration.defaults import DEMO_OFFICE_TEXT, DEMO_REGISTER
from reports import office_text, period_report, report_data

PERIOD, PREVIOUS = "2021-H1", "2020-H2"
# the seed report (../shared/seed/000_5979688a1e777490.txt), kept in the repository so CI has it
SEED = Path(__file__).parent / "data" / "seed_2021-H1.txt"
SEED_HEAD_LINES = 3  # time stamp, number, headline; the last line is the author
CLOSING = "./."
RECIPIENTS = "Nơi nhận:"  # in the table beside the signature, right after the body
PLACEHOLDER = re.compile(r"^\*\\\[Phòng bổ sung .*\\\]\*(\./\.)?$", re.MULTILINE)
# The seed's parts in its order, each by the opening words of its paragraph (and the report's headings)
SEED_ORDER = [
    ("context", "Thời gian qua, trước tình hình dịch bệnh Covid-19"),
    ("results", "## I. KẾT QUẢ ĐẠT ĐƯỢC"),
    ("propaganda", "Công tác tuyên truyền vận động cán bộ và nhân dân"),
    ("plans", "Ban Chỉ đạo tỉnh đã ban hành các văn bản"),
    ("models", "Công tác xây dựng, củng cố, nhân rộng mô hình"),
    ("models highlight", "Điển hình như mô hình “Camera an ninh"),
    ("core force", "Công tác xây dựng, củng cố lực lượng nòng cốt"),
    ("core force extra", "; đề xuất UBND tỉnh duyệt kinh phí"),
    ("awards", "Công tác thi đua, khen thưởng phong trào"),
    ("awards extra", ", qua đó đã động viên kịp thời"),
    ("steering", "Đã củng cố, kiện toàn Ban Chỉ đạo"),
    ("shortcomings heading", "## II. TỒN TẠI, HẠN CHẾ"),
    ("shortcomings", "Tuy nhiên, tình hình an ninh trật tự"),
    ("tasks heading", "## III. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2021"),
    ("tasks intro", "Trước tình hình dịch bệnh Covid-19 có nhiều diễn biến phức tạp"),
    ("tasks", "Đẩy mạnh công tác tuyên truyền, vận động"),
    ("last task", "Quan tâm bồi dưỡng nâng cao kiến thức nghiệp vụ"),
    ("signature", RECIPIENTS),
    ("data quality annex", "NGUỒN SỐ LIỆU VÀ CHẤT LƯỢNG DỮ LIỆU"),
]


def _normal(text: str) -> str:
    """Markdown read as text: escapes undone, one space between words."""
    return " ".join(re.sub(r"\\(.)", r"\1", text).split())


def _body(markdown: str) -> str:
    """The document's text before the recipients' list beside the signature, without the heading
    block's table and the directives (comments)."""
    lines = markdown.splitlines()
    end = next(i for i, line in enumerate(lines) if RECIPIENTS in line)
    return "\n".join(line for line in lines[:end] if not line.lstrip().startswith(("|", "<!--")))


def _last_paragraph(body: str) -> str:
    return [p for p in body.split("\n\n") if p.strip()][-1].strip()


def seed_sentences() -> list[str]:
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [s for line in lines[SEED_HEAD_LINES:-1] for s in re.split(r"(?<=[.:…])\s+(?=[A-ZĐÀ-Ỹ“])", line)]


@pytest.fixture(scope="module")
def demo_data(demo_build):
    con = duckdb.connect(str(demo_build["warehouse"]), read_only=True)
    try:
        return {period: report_data.load(con, period) for period in (PREVIOUS, PERIOD)}
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo_report(demo_data, tmp_path_factory):
    """The demo's 2021-H1 report written with a copy of demo/nhan_dinh (the repository's is never written)."""
    tmp = tmp_path_factory.mktemp("office_demo")
    folder = shutil.copytree(DEMO_OFFICE_TEXT, tmp / "nhan_dinh")
    before = (folder / f"{PERIOD}.md").read_bytes()
    files = period_report.write_report(demo_data[PERIOD], tmp / "out", office_dir=folder)
    assert (folder / f"{PERIOD}.md").read_bytes() == before
    return files


# --- the file -------------------------------------------------------------------------------------------


def test_a_new_file_has_every_heading_and_no_text(tmp_path):
    office = office_text.load(tmp_path / "nhan_dinh", PERIOD)
    assert office.created and not office.problem
    text = office.path.read_text(encoding="utf-8")
    assert office.path == tmp_path / "nhan_dinh" / f"{PERIOD}.md"
    for part in office_text.parts():
        assert f"## {part.heading}" in text
    assert office.texts == {}  # the hints are comments
    assert [p.key for p in office.unfilled] == [p.key for p in office_text.parts() if p.required]
    assert {"context", "propaganda", "steering", "shortcomings", "tasks"} <= {p.key for p in office.unfilled}


def test_the_file_is_created_once_and_never_written_again(tmp_path):
    folder = tmp_path / "nhan_dinh"
    first = office_text.load(folder, PERIOD)
    written = first.path.read_text(encoding="utf-8").replace(
        "## Tồn tại, hạn chế\n", "## Tồn tại, hạn chế\n\nTuy nhiên, việc đăng ký còn chậm.\n"
    )
    first.path.write_text(written, encoding="utf-8")
    again = office_text.load(folder, PERIOD)
    assert not again.created
    assert first.path.read_text(encoding="utf-8") == written
    assert again.texts == {"shortcomings": "Tuy nhiên, việc đăng ký còn chậm."}
    assert "shortcomings" not in [p.key for p in again.unfilled]
    assert [p.name for p in folder.iterdir()] == [f"{PERIOD}.md"]  # no temporary file left


def test_headings_are_matched_as_a_person_writes_them(tmp_path):
    path = tmp_path / f"{PERIOD}.md"
    path.write_text(
        "\ufeff# Nhận định\n\nMột dòng không thuộc đề mục nào.\n\n"
        "## 1. TUYÊN TRUYỀN:\r\n\r\nDòng một\r\ndòng hai.\r\n\r\n- Gạch đầu dòng.\r\n"
        "## Kiến nghị\n\nMột kiến nghị.\n"
        "## Tuyên truyền (bổ sung)\n\nĐoạn thứ ba.\n",
        encoding="utf-8",
    )
    office = office_text.read(path)
    assert office.paragraphs("propaganda") == ["Dòng một dòng hai.", "- Gạch đầu dòng.", "Đoạn thứ ba."]
    assert office.unknown == ("(trước đề mục đầu tiên)", "Kiến nghị")
    assert "Một kiến nghị" not in str(office.texts)


def test_a_file_that_is_not_utf8_is_left_alone(tmp_path):
    path = tmp_path / "nhan_dinh" / f"{PERIOD}.md"
    path.parent.mkdir()
    path.write_bytes("## Bối cảnh\n\nTình hình chung.\n".encode("utf-16"))
    before = path.read_bytes()
    office = office_text.load(path.parent, PERIOD)
    assert "UTF-8" in office.problem and not office.created
    assert path.read_bytes() == before
    assert len(office.unfilled) == len([p for p in office_text.parts() if p.required])


def test_a_folder_that_cannot_be_made_is_a_problem_not_an_error(tmp_path):
    blocker = tmp_path / "nhan_dinh"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    office = office_text.load(blocker, PERIOD)
    assert office.problem.startswith("không tạo được tệp nhận định")
    assert office_text.summary_lines(office) == [office.problem]


def test_next_half_year():
    assert office_text.period_label(office_text.next_period("2021-H1")) == "6 tháng cuối năm 2021"
    assert office_text.period_label(office_text.next_period("2021-H2")) == "6 tháng đầu năm 2022"


# --- the demo's report ----------------------------------------------------------------------------------


def test_the_demo_report_has_every_seed_sentence(demo_report):
    sentences = seed_sentences()
    assert len(sentences) > 25
    markdown = _normal(demo_report.text)
    word = " ".join(" ".join(p.text.split()) for p in docx.Document(str(demo_report.docx)).paragraphs if p.text.strip())
    missing = [s for s in sentences if _normal(s) not in markdown]
    assert not missing, missing
    missing = [s for s in sentences if _normal(s) not in word]
    assert not missing, missing
    assert demo_report.office.unfilled == [] and not PLACEHOLDER.search(demo_report.text)


def test_the_parts_follow_the_seed_order(demo_report):
    markdown = _normal(demo_report.text)
    positions = [(name, markdown.find(_normal(marker))) for name, marker in SEED_ORDER]
    assert all(at >= 0 for _, at in positions), [name for name, at in positions if at < 0]
    assert [name for name, _ in sorted(positions, key=lambda p: p[1])] == [name for name, _ in SEED_ORDER]


def test_the_body_ends_the_seed_way_and_names_no_file(demo_report):
    body = _body(demo_report.text)
    last = _last_paragraph(body)
    assert last.endswith("nhằm động viên kịp thời./.") and body.count(CLOSING) == 1
    assert not re.search(r"\w+\.(csv|xlsx|docx|md|html|json)\b", body)
    appendix = demo_report.text.split(RECIPIENTS, 1)[1]
    assert "dq_findings.csv" in appendix and "## PHỤ LỤC 3. NGUỒN SỐ LIỆU VÀ CHẤT LƯỢNG DỮ LIỆU" in appendix
    assert "## II. SỐ LIỆU" not in demo_report.text


def test_the_safety_standard_is_named_in_full_then_abbreviated(demo_report):
    text = _normal(demo_report.text)
    full, short = "An toàn về an ninh trật tự", "An toàn về ANTT"
    definition = f"“{full}” viết tắt là “{short}”"
    assert text.index(full) < text.index(definition) < text.index(f"đăng ký {short}")
    generated = text.split(_normal(RECIPIENTS), 1)[1]  # the annexes: tables and captions
    assert full not in generated and short in generated


def test_an_empty_file_gives_placeholders_that_a_person_then_fills(demo_data, tmp_path):
    folder = tmp_path / "nhan_dinh"
    files = period_report.write_report(demo_data[PERIOD], tmp_path / "first", office_dir=folder)
    assert files.office.created
    path = folder / f"{PERIOD}.md"
    assert path.read_text(encoding="utf-8") == office_text.blank(PERIOD)
    required = [p for p in office_text.parts() if p.required]
    assert [p.heading for p in files.office.unfilled] == [p.heading for p in required]
    body = _body(files.text)
    assert len(PLACEHOLDER.findall(body)) == len(required)
    for part in required:
        assert f"(mục “{part.heading}” trong tệp nhận định của kỳ)" in _normal(body)
    assert "Điển hình như" not in body and "; đề xuất" not in body  # optional parts: nothing
    assert "trường hợp Bảo vệ dân phố." in body  # the figure sentence closes without its extra clause
    assert _last_paragraph(body).endswith(CLOSING)

    # the office writes its shortcomings like a document; the next build keeps them and the file as is
    written = path.read_text(encoding="utf-8").replace(
        "## Tồn tại, hạn chế\n",
        "## Tồn tại, hạn chế\n\nTuy nhiên, một số xã **chưa** tổ chức sơ kết;\ncòn *chậm* so với kế hoạch.\n",
    )
    path.write_text(written, encoding="utf-8")
    again = period_report.write_report(demo_data[PERIOD], tmp_path / "again", office_dir=folder)
    assert path.read_text(encoding="utf-8") == written and not again.office.created
    assert "Tuy nhiên, một số xã **chưa** tổ chức sơ kết; còn *chậm* so với kế hoạch." in again.text
    assert len(PLACEHOLDER.findall(_body(again.text))) == len(required) - 1
    assert "Tồn tại, hạn chế" not in [p.heading for p in again.office.unfilled]


def test_without_an_office_folder_nothing_is_written(demo_data, tmp_path):
    files = period_report.write_report(demo_data[PREVIOUS], tmp_path / "out")
    assert files.office is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert "## III. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG ĐẦU NĂM 2021" in files.text
    assert PLACEHOLDER.search(files.text)


# --- through antq build -----------------------------------------------------------------------------------


def test_antq_build_creates_the_file_and_lists_what_is_unfilled(demo_build, tmp_path, capsys):
    """The demo without its office folder, built by `antq build`: the folder and file appear beside the
    inbox, the summary and the asset's metadata list the parts still to be written. The demo's own
    filled file was read by the session's build and left as it was."""
    import dagster as dg

    for period in (PREVIOUS, PERIOD):
        used = office_text.default_folder(demo_build["inbox"]) / f"{period}.md"
        assert used.read_bytes() == (DEMO_OFFICE_TEXT / f"{period}.md").read_bytes()

    copy = copy_build(demo_build, tmp_path)
    folder = office_text.default_folder(copy["inbox"])
    shutil.rmtree(folder)
    capsys.readouterr()
    period_dir = build(copy["tmp"], PERIOD, copy["inbox"], DEMO_REGISTER, copy["out"], copy["warehouse"])
    summary = capsys.readouterr().out

    path = folder / f"{PERIOD}.md"
    assert path.read_text(encoding="utf-8") == office_text.blank(PERIOD)
    unfilled = [p.heading for p in office_text.parts() if p.required]
    line = next(line for line in summary.splitlines() if "Nhận định của Phòng" in line)
    assert str(path) in line and f"{len(unfilled)} phần chưa viết: " + "; ".join(unfilled) in line
    assert PLACEHOLDER.search((period_dir / f"bao_cao_{PERIOD}.md").read_text(encoding="utf-8"))

    with dg.DagsterInstance.get() as instance:
        (run,) = instance.get_runs(filters=dg.RunsFilter(tags={cli.WAREHOUSE_TAG: str(copy["warehouse"].resolve())}))
        (event,) = [
            e
            for e in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
            if e.asset_materialization.asset_key == dg.AssetKey("report_documents")
        ]
    metadata = event.asset_materialization.metadata
    prefix = f"bao_cao_{PERIOD}."
    assert metadata[f"{prefix}office_text"].value == str(path)
    assert metadata[f"{prefix}office_text_created"].value is True
    assert metadata[f"{prefix}office_text_unfilled"].value == len(unfilled)
    assert metadata[f"{prefix}office_text_unfilled_parts"].value == "; ".join(unfilled)


def test_the_option_names_another_folder(tmp_path):
    args = cli._parser().parse_args(["build", PERIOD, "--inbox", str(tmp_path / "hop_thu")])
    assert cli.office_folder(args) == (tmp_path / "nhan_dinh").resolve()
    args = cli._parser().parse_args(["build", PERIOD, "--office-text", str(tmp_path / "khac")])
    assert cli.office_folder(args) == (tmp_path / "khac").resolve()
    (tmp_path / "tep").write_text("", encoding="utf-8")
    code = cli.main(["build", PERIOD, "--inbox", str(tmp_path), "--office-text", str(tmp_path / "tep")])
    assert code == 2


def test_the_demo_folder_is_beside_the_demo_inbox():
    from orchestration.defaults import DEMO_INBOX

    assert office_text.default_folder(DEMO_INBOX) == DEMO_OFFICE_TEXT
    assert Path(DEMO_OFFICE_TEXT / f"{PERIOD}.md").is_file()
