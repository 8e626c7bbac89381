"""Answers the koans compute themselves, to check what a learner's service says.

The three-service project's worker counts the primes up to n; the koans that run it (M2 on
the engine, M5 hardened, M7 as a pod) each draw an n and compare with this count.
"""
from __future__ import annotations


def count_primes(n: int) -> int:
    """How many primes are <= n (a sieve of Eratosthenes)."""
    if n < 2:
        return 0
    sieve = bytearray([1]) * (n + 1)
    sieve[0] = sieve[1] = 0
    for i in range(2, int(n ** 0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytearray(len(sieve[i * i::i]))
    return sum(sieve)
