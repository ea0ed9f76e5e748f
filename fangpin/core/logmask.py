"""A logging filter that masks ID numbers and mobile numbers in every log line (SEC-MSK-1,
ASVS 16.2.5, scenario 26).

The code never logs personal information on purpose; this filter is the net under that rule
for what slips through — a validation message quoting the input, an exception from a library,
a request line. It formats the record's message with its arguments, masks every 18-character
ID number (``433124********123X``), 15-digit first-generation ID number and mobile number
(``138****5678``), and also masks the formatted exception text. The shapes are those of
``fangpin.registry.masking``; they are repeated here because the core never imports the
registry (import-linter), and ``tests/core/test_logmask.py`` checks the two agree.
"""

from __future__ import annotations

import logging
import re

__all__ = ["MaskPersonalInfo", "mask_text"]

# Digits not preceded or followed by more digits: a 19-digit bank card is not an ID number.
_ID18 = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{5}(\d{4})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d)\d{4}(\d{4})(?![0-9A-Za-z])")


def mask_text(text: str) -> str:
    """``text`` with every ID number and mobile number in it masked."""
    text = _ID18.sub(lambda m: f"{m[1]}{'*' * 8}{m[2]}", text)
    text = _ID15.sub(lambda m: f"{m[1]}{'*' * 8}{m[2]}", text)
    return _MOBILE.sub(lambda m: f"{m[1]}****{m[2]}", text)


class MaskPersonalInfo(logging.Filter):
    """Rewrite each record's message (and exception text) with personal numbers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: mask what there is
            message = str(record.msg)
        record.msg = mask_text(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True
