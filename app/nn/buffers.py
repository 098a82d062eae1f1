"""Reusable work arrays, so the training loop does not allocate new arrays every step.

A fresh array over ~128 KB costs page faults on every allocation; reusing one per shape keeps a
training step close to the cost of its matrix multiplies.
"""

from __future__ import annotations

import numpy as np


class Buffers(dict):
    """Named arrays and cached values of one layer for one forward/backward pass.

    ``array(key, shape)`` returns the array stored under ``key`` when it already has that shape and
    dtype, and allocates (and stores) a new one otherwise. A fresh ``Buffers`` therefore allocates
    everything once, which keeps inference thread-safe: each call brings its own buffers.
    """

    def array(self, key: str, shape: tuple[int, ...], dtype: type = np.float64) -> np.ndarray:
        arr = self.get(key)
        if arr is None or arr.shape != shape or arr.dtype != dtype:
            arr = self[key] = np.empty(shape, dtype)
        return arr
