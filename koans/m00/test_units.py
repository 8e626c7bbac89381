"""M0 koans · systemd unit files: the syntax, and the command a service runs."""
from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernel_koans import exercise, koan

units = exercise("m00/units")

NAME = st.from_regex(r"[A-Z][A-Za-z]{0,11}", fullmatch=True)
WORD = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="\\"),
               min_size=1, max_size=8).filter(lambda w: w[0] not in "#;")
"""No backslashes; and no word starts like a comment, since a word may start a continued line."""
VALUE = st.lists(WORD, min_size=1, max_size=4).map(" ".join)
BLANK = st.sampled_from(["", " ", "\t"])
COMMENT = st.sampled_from(["#", ";", "  #", "\t;"]).flatmap(
    lambda mark: st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E,
                                       exclude_characters="\\"), max_size=20).map(lambda t: mark + t))


@st.composite
def unit_files(draw: st.DrawFn) -> tuple[str, dict[str, dict[str, list[str]]]]:
    """A unit file's text and what systemd makes of it: comments and blank lines anywhere,
    whitespace around `=`, repeated keys, resets (`Key=`), and values wrapped with `\\`."""
    lines: list[str] = []
    expected: dict[str, dict[str, list[str]]] = {}

    def noise() -> None:
        lines.extend(draw(st.lists(st.one_of(BLANK, COMMENT), max_size=2)))

    for section in draw(st.lists(NAME, min_size=1, max_size=4, unique=True)):
        noise()
        lines.append(f"[{section}]")
        body = expected.setdefault(section, {})
        for key in draw(st.lists(NAME, max_size=4)):
            noise()
            value = draw(st.one_of(st.just(""), VALUE))
            left, right = draw(BLANK), draw(BLANK)
            words = value.split(" ")
            if len(words) > 1 and draw(st.booleans()):
                cut = draw(st.integers(1, len(words) - 1))
                # "a b \n# comment\n c": the backslash becomes a space, the comment is skipped.
                between = draw(st.lists(COMMENT, max_size=1))
                lines.append(f"{key}{left}={right}{' '.join(words[:cut])}\\")
                lines.extend(between)
                lines.append(" ".join(words[cut:]))
            else:
                lines.append(f"{key}{left}={right}{value}")
            if value:
                body.setdefault(key, []).append(value)
            else:
                body[key] = []
        noise()
    return "\n".join(lines) + "\n", expected


@koan(man="systemd.syntax(7)",
      hints=["A nudge: go line by line and keep the current section. Write the easy rules first "
             "(sections, Key=Value, comments), then the continuation rule.",
             "The mechanism: when a line ends in a backslash, drop it, add a space, and glue the "
             "next non-comment line on before you parse. `Key=` (nothing after =) resets the "
             "key's list to empty; any other value is appended."])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit_files())
def test_unit_files_read_the_way_systemd_reads_them(case: tuple[str, dict[str, dict[str, list[str]]]]) -> None:
    """Every service on a systemd machine — dockerd and containerd included — is described by
    a unit file; read one wrong and you change the wrong setting. The syntax has traps."""
    text, expected = case
    got = units.read_unit(text)
    assert got == expected, (f"systemd.syntax(7) reads this unit file\n{text}as {expected}; "
                             f"read_unit() gave {got}")


UNIT = """\
# {name}: a koan's demo service, written by test_units.py
[Unit]
Description=A demo service ; Restart=always is not a setting: ';' starts a comment only at a line's start

[Service]
Type=simple
ExecStart=/bin/false
; The empty assignment throws the line above away:
ExecStart=
# Restart=always
RestartSec=2
Restart={overridden}
ExecStart=-/bin/sh -c "{sleep} {seconds}; exit 0" \\
# a comment inside a continued line is skipped
    'kk demo "{seconds}"'
Restart={policy}

[Install]
WantedBy=multi-user.target
"""
"""Quoted words that hold blanks (and quotes), and Restart= set twice, next to RestartSec=,
a commented-out Restart= and one inside another key's value."""


@koan(man="systemd.service(5)",
      hints=["A nudge: ExecStart= may appear several times; an empty one resets the list, and "
             "the line may be split with a backslash. Use your read_unit().",
             "The mechanism: take the last ExecStart value, shlex.split() it, and strip the "
             "prefix characters `-@:+!` from the first word (`-` means: a non-zero exit is not "
             "a failure). Restart= defaults to 'no' when the unit does not set it."])
def test_execstart_is_the_command_systemd_would_run(spawn, scratch: Path) -> None:
    """A unit file is a recipe for execve(2): ExecStart= becomes the argv the kernel runs,
    Restart= what systemd does when it exits. The koan runs your argv and asks /proc.

    Not told apart here: shlex's shell rules from systemd's own (C escapes, %-specifiers,
    $VAR): the unit uses only quoting both read alike."""
    sleep = shutil.which("sleep")
    assert sleep, "no sleep(1) on PATH"
    unit = scratch / "kk-demo.service"
    # Drawn per run: the koan checks your parser, not a value you could type in.
    seconds = str(random.randrange(31, 1000))
    # Never "always": that one the unit names only where it is no setting.
    policy, overridden = random.sample(["on-success", "on-failure", "on-abnormal", "on-watchdog",
                                        "on-abort"], 2)
    unit.write_text(UNIT.format(name=unit.name, sleep=sleep, seconds=seconds, policy=policy,
                                overridden=overridden))
    expected = ["/bin/sh", "-c", f"{sleep} {seconds}; exit 0", f'kk demo "{seconds}"']
    argv = units.exec_start(str(unit))
    assert isinstance(argv, list) and argv, f"exec_start() returned {argv!r}, not an argv list"
    try:
        child = spawn(argv)
    except OSError as err:
        raise AssertionError(f"execve({argv[0]!r}) failed: {err.strerror}. systemd strips "
                             "the prefix characters before it executes the path") from None
    cmdline = Path(f"/proc/{child.pid}/cmdline").read_bytes().split(b"\0")[:-1]
    assert [os.fsdecode(a) for a in cmdline] == expected, (
        f"systemd runs the unit's last ExecStart= as {expected}; the kernel ran {cmdline} "
        "from your argv")
    assert units.restart_policy(str(unit)) == policy, (
        f"{unit.name} sets Restart={overridden}, then Restart={policy}; restart_policy() said "
        f"{units.restart_policy(str(unit))!r}")
    bare = scratch / "kk-bare.service"
    bare.write_text(f"[Service]\nExecStart={sleep} 1\n")
    assert units.restart_policy(str(bare)) == "no", (
        "a unit without Restart= gets systemd's default, 'no' (systemd.service(5)); "
        f"restart_policy() said {units.restart_policy(str(bare))!r}")
