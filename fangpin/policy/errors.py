"""Errors of the policy core: one stable ``code``, a Chinese ``message``, the file and key path."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["ERROR_CODES", "PolicyError", "PolicyValidationError"]

# Every code an edition file or a lookup can fail with; tests assert each one.
ERROR_CODES = (
    "no_directory",  # the editions directory does not exist or holds no *.toml file
    "toml_syntax",  # not UTF-8 or not valid TOML
    "missing_key",  # a required key is absent (national floors must set every value)
    "wrong_type",  # a value of the wrong type, or a bare value where { value = … } is required
    "unknown_key",  # a key the schema does not know (typos must not pass silently)
    "bad_value",  # right type but out of range, not in the allowed choices, empty, duplicated
    "bad_region",  # a region code that is malformed or does not exist
    "fixed_field",  # a lower level tried to override a field the schema fixes nationally
    "loosening",  # a lower level set a value looser than the level above it
    "duplicate_edition",  # two files for the same year and region
    "no_edition",  # no national floor for the year (or none early enough for an override)
    "exceeds_limit",  # a resolved value above the key that caps it (verification > identification)
)


class PolicyError(ValueError):
    """One problem with an edition file or a lookup.

    ``code`` is stable (see :data:`ERROR_CODES`); ``message`` is Chinese and already names the
    file and key; ``file`` is relative to the editions directory and ``key`` is a dotted path
    such as ``monitoring.income_line`` (both empty when they do not apply).
    """

    def __init__(self, code: str, message: str, *, file: str = "", key: str = "") -> None:
        assert code in ERROR_CODES, code
        super().__init__(message)
        self.code = code
        self.message = message
        self.file = file
        self.key = key

    def __repr__(self) -> str:
        return f"PolicyError({self.code!r}, {self.message!r})"


class PolicyValidationError(ValueError):
    """Every problem found while loading a directory of editions, reported at once."""

    def __init__(self, errors: Sequence[PolicyError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(f"[{e.code}] {e.message}" for e in self.errors))

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.errors)
