"""`pollguard validate PACKAGE`, run as a user runs it: a subprocess of the installed CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packages import set_cell, write_base_package

BROKEN = Path(__file__).parent / "broken"
DEMO = Path(__file__).parents[2] / "scenarios" / "dhi-qar-2010"
LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
ARABIC_LETTER = re.compile("[\u0621-\u064a]")
LOCATED = re.compile(r"^(?P<file>[^:]+?)(?::(?P<line>\d+))?: \S")


def pollguard(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "pollguard", "validate", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        check=False,
    )


def test_a_valid_package_exits_0_with_a_one_line_summary(tmp_path: Path) -> None:
    result = pollguard(write_base_package(tmp_path / "pkg"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    (line,) = result.stdout.splitlines()
    assert line.startswith("valid: iq-cor-2010-dhi-qar")
    for figure in ("3 sectors", "4 centers", "7 stations", "3650 voters", "6 units"):
        assert figure in line
    assert "144 personnel" in line  # the units' total headcount


def test_the_summary_is_in_arabic_when_asked(tmp_path: Path) -> None:
    result = pollguard(write_base_package(tmp_path / "pkg"), "--lang", "ar")
    assert result.returncode == 0
    assert result.stdout.startswith("الحزمة صالحة")
    assert "المراكز: 4" in result.stdout


def test_a_broken_package_exits_1_with_every_problem_on_stderr_sorted() -> None:
    folder = BROKEN / "many_problems"
    expected = [
        line
        for line in (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    result = pollguard(folder)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == len(expected)
    located = []
    for line, want in zip(lines, expected, strict=True):
        match = LOCATED.match(line)
        assert match, line
        file, number = match["file"], match["line"]
        assert [file, number or "-"] == want.split(":")[:2]
        located.append((file, int(number or 0)))
    assert located == sorted(located)


def test_messages_name_the_file_line_column_and_value(tmp_path: Path) -> None:
    folder = write_base_package(tmp_path / "pkg")
    set_cell(folder, "units.csv", 3, "headcount", "ثلاثون")
    result = pollguard(folder, "--lang", "en")
    assert result.returncode == 1
    assert result.stderr == "units.csv:3: headcount must be a number, got 'ثلاثون'\n"


def test_lang_ar_gives_arabic_messages(tmp_path: Path) -> None:
    folder = write_base_package(tmp_path / "pkg")
    set_cell(folder, "centers.csv", 2, "lat", "٩١")
    result = pollguard(folder, "--lang", "ar")
    assert result.returncode == 1
    assert result.stderr.startswith("centers.csv:2: ")
    assert ARABIC_LETTER.search(result.stderr)
    assert "lat" in result.stderr
    assert "٩١" in result.stderr


@pytest.mark.parametrize(
    "env",
    [{"LANG": "ar_IQ.UTF-8"}, {"LANGUAGE": "ar:en", "LANG": "en_US.UTF-8"}, {"LC_ALL": "ar"}],
)
def test_an_arabic_locale_gives_arabic_messages(tmp_path: Path, env: dict[str, str]) -> None:
    folder = write_base_package(tmp_path / "pkg")
    set_cell(folder, "centers.csv", 2, "voters", "-3")
    result = pollguard(folder, **env)
    assert result.returncode == 1
    assert ARABIC_LETTER.search(result.stderr)


def test_lang_en_overrides_an_arabic_locale(tmp_path: Path) -> None:
    folder = write_base_package(tmp_path / "pkg")
    set_cell(folder, "centers.csv", 2, "voters", "-3")
    result = pollguard(folder, "--lang", "en", LANG="ar_IQ.UTF-8")
    assert result.stderr == "centers.csv:2: voters must not be negative, got '-3'\n"


def test_a_missing_folder_is_a_clear_message_and_exit_1(tmp_path: Path) -> None:
    result = pollguard(tmp_path / "nowhere")
    assert result.returncode == 1
    assert result.stderr == f"{tmp_path / 'nowhere'}: no such folder\n"


def test_a_file_instead_of_a_folder_is_a_clear_message_and_exit_1(tmp_path: Path) -> None:
    folder = write_base_package(tmp_path / "pkg")
    result = pollguard(folder / "centers.csv")
    assert result.returncode == 1
    assert result.stderr.startswith(f"{folder / 'centers.csv'}: not a folder")


def test_an_unknown_language_is_refused_by_the_parser(tmp_path: Path) -> None:
    result = pollguard(tmp_path, "--lang", "fr")
    assert result.returncode == 2
    assert "--lang" in result.stderr


def test_validate_never_imports_django(tmp_path: Path) -> None:
    folder = write_base_package(tmp_path / "pkg")
    code = (
        "import argparse, sys\n"
        "from pollguard.commands import validate\n"
        "parser = argparse.ArgumentParser()\n"
        "validate.register(parser.add_subparsers())\n"
        f"args = parser.parse_args(['validate', {str(folder)!r}])\n"
        "assert args.run(args) == 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ninja')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_the_dhi_qar_demo_package_is_valid() -> None:
    result = pollguard(DEMO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("valid: ")


def test_an_over_long_name_is_refused_with_its_length(tmp_path: Path) -> None:
    folder = write_base_package(tmp_path / "pkg")
    set_cell(folder, "sectors.csv", 2, "name_en", "x" * 5000)
    result = pollguard(folder, "--lang", "en")
    assert result.returncode == 1
    assert result.stderr == (
        "sectors.csv:2: name_en is 5000 characters long; at most 200 are allowed\n"
    )


@pytest.mark.parametrize("control", ["\u202e", "\u202b", "\u2066", "\u2069"])
def test_a_bidi_override_inside_a_name_is_refused(tmp_path: Path, control: str) -> None:
    folder = write_base_package(tmp_path / "pkg")
    set_cell(folder, "centers.csv", 3, "name_ar", f"مدرسة {control}ةيلاع{control} البنين")
    result = pollguard(folder, "--lang", "en")
    assert result.returncode == 1
    assert result.stderr.startswith("centers.csv:3: name_ar contains the invisible")
    assert f"U+{ord(control):04X}" in result.stderr
    arabic = pollguard(folder, "--lang", "ar")
    assert arabic.stderr.startswith("centers.csv:3: يحتوي name_ar على محرف التحكم")


def test_direction_marks_inside_arabic_text_stay_allowed(tmp_path: Path) -> None:
    folder = write_base_package(tmp_path / "pkg")
    set_cell(folder, "centers.csv", 3, "name_ar", "مدرسة\u200f 14\u200f تموز")
    assert pollguard(folder).returncode == 0


def test_an_over_long_election_name_in_the_yaml_is_refused(tmp_path: Path) -> None:
    folder = write_base_package(tmp_path / "pkg")
    yaml = folder / "election.yaml"
    text = yaml.read_text(encoding="utf-8")
    yaml.write_text(
        text.replace('"Council of Representatives election 2010 - Dhi Qar"', "y" * 300, 1),
        encoding="utf-8",
    )
    result = pollguard(folder, "--lang", "en")
    assert result.returncode == 1
    assert "election.yaml:4: name_en is 300 characters long; at most 100" in result.stderr
