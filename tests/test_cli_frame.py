"""The command line speaks Vietnamese from frame to error: help, usage, every argument with its help and
default, and argparse's errors, with exit status 2 (contract section 7)."""

from __future__ import annotations

import pytest

from orchestration import cli

ENGLISH = (
    "usage:",
    "options:",
    "positional arguments",
    "show this help message",
    "error:",
    "required",
    "invalid",
    "unrecognized",
    "expected one argument",
)


def _run(capsys, argv: list[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    out = capsys.readouterr()
    return exc.value.code, out.out + out.err


@pytest.mark.parametrize("argv", [["--help"], ["build", "--help"], ["template", "--help"]])
def test_help_is_vietnamese_and_every_argument_has_help(capsys, argv):
    code, text = _run(capsys, argv)
    assert code == 0
    assert "cách dùng:" in text and "tùy chọn:" in text
    assert not [w for w in ENGLISH if w in text.lower()], text
    parser = cli._parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices
    for command in sub.values() if argv == ["--help"] else [sub[argv[0]]]:
        for action in command._actions:
            assert action.help, f"{command.prog} {action.option_strings or action.dest} has no help"
            if action.default not in (None, False) and action.dest not in ("help",):
                assert "mặc định" in action.help, f"{action.dest}: its default is not said"


@pytest.mark.parametrize(
    "argv, words",
    [
        (["build"], "thiếu tham số bắt buộc: KỲ"),
        (["buid"], 'không có lựa chọn "buid"'),
        (["build", "2021-H1", "--wait", "x"], '--wait: "x" không phải là một số'),
        (["build", "2021-H1", "--wait"], "--wait: cần một giá trị"),
        (["build", "2021-H1", "--bogus"], "không nhận ra tham số: --bogus"),
    ],
)
def test_argument_errors_are_vietnamese_with_exit_2(capsys, argv, words):
    code, text = _run(capsys, argv)
    assert code == 2
    assert words in text
    assert "cách dùng:" in text
    assert not [w for w in ENGLISH if w in text.lower()], text
