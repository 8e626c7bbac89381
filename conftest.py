"""Root conftest: loads the kernel-koans plugin, nothing else."""
pytest_plugins = ["kernel_koans.runner.plugin"]
