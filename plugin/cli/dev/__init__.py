"""`koans dev`: the maintainers' checks of the curriculum itself (shape, parity, both
directions, flakes under load, the wrong solutions)."""
