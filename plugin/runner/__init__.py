"""The pytest plugin: what runs a koan, audits the host around it and explains it.

`kernel_koans.runner.plugin` is the plugin pytest loads (the root conftest names it); its
stateful parts are plugin objects it registers: the leak audit (`leaks.LeakAudit`) and the
journey and report (`report.JourneyReport`). Nothing in the learner's toolbox imports
this package (tests/test_layout.py holds that).
"""
