"""HTML → PDF with WeasyPrint, for printable documents (public notices).

The templates carry their own CSS; nothing is fetched while rendering (the URL fetcher refuses
every URL, so a document can never make the server request anything). Chinese text needs the
Noto CJK fonts (Debian's ``fonts-noto-cjk``; ``.ci/run`` installs them).
"""

from __future__ import annotations

from typing import Any, NoReturn

__all__ = ["html_to_pdf"]


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise ValueError(f"printable documents fetch nothing: {url[:80]}")


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML document."""
    from weasyprint import HTML  # imported on use: it loads Pango at import time

    pdf = HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    assert pdf is not None
    return bytes(pdf)
