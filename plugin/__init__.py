"""kernel-koans: the pytest plugin, fixtures, syscall helpers and CLI."""
