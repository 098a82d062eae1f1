"""Per-layer caches: what a forward pass keeps for its backward pass, and reusable work arrays.

The CS231n layers return ``(out, cache)``; ours take the cache as an argument instead, so that the
training loop can hand the same one to every step: a fresh array over ~128 KB costs page faults on
every allocation, and reusing one per shape keeps a step close to the cost of its matrix multiplies.
A network needs one ``Cache`` per layer plus one for its loss (``Network.caches()``).
"""

from __future__ import annotations

import numpy as np


class Cache(dict):
    """Named arrays and cached values of one layer for one forward/backward pass.

    ``array(key, shape)`` returns the array stored under ``key`` when it already has that shape and
    dtype, and allocates (and stores) a new one otherwise. A fresh ``Cache`` therefore allocates
    everything once, which keeps inference thread-safe: each call brings its own caches.
    """

    def array(self, key: str, shape: tuple[int, ...], dtype: type = np.float64) -> np.ndarray:
        arr = self.get(key)
        if arr is None or arr.shape != shape or arr.dtype != dtype:
            arr = self[key] = np.empty(shape, dtype)
        return arr
