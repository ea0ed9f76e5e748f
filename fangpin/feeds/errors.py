"""Domain errors of department-feed import: a stable ``code`` and a Chinese ``message``.

Codes: ``forbidden`` (no right to import or publish), ``feed`` (unknown feed), ``period`` (not
YYYY-MM), ``too_large``, ``empty``, ``type`` (not CSV, Excel or Parquet), ``macro``,
``encrypted``, ``unsafe`` (zip bomb, path traversal, XML entities), ``encoding``,
``truncated``, ``corrupt``, ``too_many_rows``, ``columns`` (missing or repeated columns),
``duplicate`` (this file was already imported), ``state`` (the batch is not in the state the
action needs), ``quality`` (too many invalid rows to publish), ``publish`` (publication failed;
the previous batch is untouched), ``not_found``. Never change a code that has shipped.
"""

from __future__ import annotations

from fangpin.core.errors import FangpinError

__all__ = ["FeedAlreadyImportedError", "FeedError"]


class FeedError(FangpinError):
    """A feed import, publication or rejection the service refuses.

    ``batch_id`` names the batch concerned, when there is one: the rejected batch recorded for
    a file that could not be read, or the batch a duplicate upload already made.
    """

    batch_id: str

    def __init__(self, code: str, message: str, batch_id: str = "") -> None:
        super().__init__(code, message)
        self.batch_id = batch_id

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.code, self.message, self.batch_id))


class FeedAlreadyImportedError(FeedError):
    """The same file (sha256) was already imported for this feed and period (REL-IDEM-1)."""
