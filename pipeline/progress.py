"""Progress on a terminal while a long build runs.
"""
from __future__ import annotations

import sys


class Progress:
    """Progress on a terminal (files parsed, checks, rows loaded, indexing) for builds long enough to need it
    (from `after` seconds on); silent otherwise (main makes one only when stderr is a terminal)."""

    def __init__(self, after: float = 1.0):
        import time

        self.clock, self.start, self.shown = time.monotonic, time.monotonic(), False
        self.after = after

    def __call__(self, done: int, total: int):
        self.say(f"parsed {done}/{total} files")

    def say(self, text: str):
        if self.clock() - self.start >= self.after:
            print(f"\r\033[K{text}", end="", file=sys.stderr, flush=True)
            self.shown = True

    def close(self):
        if self.shown:
            print("\r\033[K", end="", file=sys.stderr, flush=True)
