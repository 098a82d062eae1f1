"""A structured error: which field of a spec is wrong, and why.

``SpecError.field`` is a dotted path relative to the object that was checked (``hidden[0].units``,
``loss``, ``weights.W1``; empty for the object as a whole) and ``message`` says what is wrong
without repeating the field. Whoever embeds that object adds its own prefix with ``within``
(``network.hidden[0].units``), so no layer ever has to read a field out of an English sentence.
"""

from __future__ import annotations


def join(prefix: str, field: str) -> str:
    """``join("network", "hidden[0].units")`` -> ``network.hidden[0].units``; either may be empty."""
    if not prefix or not field:
        return prefix or field
    return f"{prefix}{field}" if field.startswith("[") else f"{prefix}.{field}"


class SpecError(ValueError):
    """A value that does not fit its spec: ``field`` (dotted path) and ``message``."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message

    def within(self, prefix: str) -> SpecError:
        """The same problem seen from the object that holds this one under ``prefix``."""
        return SpecError(join(prefix, self.field), self.message)
