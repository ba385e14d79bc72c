"""Noise on customers' free text: typos, elongations, shouting and casual lower case."""

from __future__ import annotations

import random
import re

from toolkit.sample.segments import Seg
from toolkit.sample.text import ELONGATIONS


class Noise:
    """Typos, elongations, shouting and casual lower-case on free text segments only."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def apply(self, segs: list[Seg], sentiment: str) -> list[Seg]:
        """Return `segs` with noise applied in place on free segments (also returned).

        Parameters
        ----------
        segs : list of Seg
            Segments of one post.
        sentiment : str
            Angry posts are shouted more often; happy ones elongate.
        """
        rng, free = self.rng, [s for s in segs if s.kind is None and s.text.strip()]
        if not free:
            return segs
        if sentiment == "negative" and rng.random() < 0.09:
            for s in free:
                s.text = s.text.upper()
        elif rng.random() < 0.22:
            for s in free:
                s.text = s.text.lower()
        if rng.random() < 0.12:
            self._elongate(free)
        if rng.random() < 0.10:
            self._typo(free)
        return segs

    def _elongate(self, free: list[Seg]) -> None:
        for plain, long in self.rng.sample(ELONGATIONS, len(ELONGATIONS)):
            for s in free:
                if plain in s.text:
                    s.text = s.text.replace(plain, long, 1)
                    return

    def _typo(self, free: list[Seg]) -> None:
        for _ in range(self.rng.choice((1, 1, 2))):
            seg = self.rng.choice(free)
            words = [m for m in re.finditer(r"[A-Za-z]{4,}", seg.text)]
            if not words:
                continue
            m = self.rng.choice(words)
            i = self.rng.randrange(m.start() + 1, m.end() - 1)
            t = seg.text
            if self.rng.random() < 0.5:  # swap two neighbours
                seg.text = t[:i] + t[i + 1] + t[i] + t[i + 2 :]
            else:  # drop one
                seg.text = t[:i] + t[i + 1 :]
