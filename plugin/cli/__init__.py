"""`koans`, the command line: the learner's commands here, the maintainers' under `dev/`.

The entry point is `kernel_koans.cli:main`; the commands themselves live in `commands`.
"""
from kernel_koans.cli.commands import main

__all__ = ["main"]
