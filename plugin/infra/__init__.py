"""The machines and images koans run on: the v2 VM lane (`koans vm`), the engine inside it,
and the base images built from this host's own files."""
