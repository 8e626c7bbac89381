"""M5 · AppArmor: a mandatory access control profile, enforced or only complaining.

Your code (m05/apparmor.py) writes a profile; the koan loads it (apparmor_parser), runs
`cat` under it (aa-exec), and reads the mode the kernel lists in securityfs. Needs a kernel
with AppArmor enabled: Debian's and Ubuntu's are (`koans vm` boots one).
"""
from __future__ import annotations

import os
from pathlib import Path

from kernel_koans import apparmor, exercise, koan, names

aa = exercise("m05/apparmor")


@koan(man="apparmor.d(5) (flags: complain), apparmor_parser(8), aa-exec(1)",
      hints=["Which files does cat read besides the one you allow, before it reaches main()? "
             "And where does a profile say it only complains?",
             "profile NAME flags=(complain) { include <abstractions/base>  PROGRAM rix,  "
             "ALLOWED r, } — and no flags for enforce."],
      needs=["root", "apparmor"])
def test_enforce_refuses_what_complain_only_logs(apparmor_profiles: list[str], scratch: Path) -> None:
    """The same rules, two modes: enforce refuses what the profile does not allow (EACCES), complain
    allows it and logs: how a profile is tried on a running service before it is enforced."""
    allowed, secret = scratch / "allowed", scratch / "secret"
    allowed.write_text("public\n")
    secret.write_text("secret\n")
    program = os.path.realpath("/bin/cat")
    for mode in ("complain", "enforce"):
        name = names.unique(f"aa{mode[0]}", 40)
        apparmor_profiles.append(name)
        apparmor.load(aa.profile(name, program, str(allowed), mode))
        listed = apparmor.loaded().get(name)
        assert listed == mode, f"the kernel lists profile {name} as {listed!r}, not {mode!r}"
        ok = apparmor.run_under(name, [program, str(allowed)])
        assert ok.returncode == 0 and ok.stdout == "public\n", (
            f"in {mode} mode cat could not read the allowed file: {ok.stderr.strip()!r}")
        other = apparmor.run_under(name, [program, str(secret)])
        if mode == "enforce":
            assert other.returncode != 0 and "Permission denied" in other.stderr, (
                f"in enforce mode cat read the file the profile does not allow: {other.stdout!r}")
        else:
            assert other.returncode == 0 and other.stdout == "secret\n", (
                f"in complain mode cat was refused the other file ({other.stderr.strip()!r}): "
                "complain logs, it does not refuse")
