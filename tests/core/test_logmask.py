"""The PI mask on log lines (SEC-MSK-1, scenario 26)."""

from __future__ import annotations

import io
import logging

import pytest

from fangpin.core.logmask import MaskPersonalInfo, mask_text
from fangpin.registry.masking import mask_id, mask_phone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("身份证 43312419800501003X 已登记", "身份证 433124********003X 已登记"),
        ("id=433124198005010037,", "id=433124********0037,"),
        ("旧证 433124800501003 号", "旧证 433124********1003 号"),
        ("电话13812345678", "电话138****5678"),
        ("tel: 19912345678.", "tel: 199****5678."),
        # Not personal numbers: a 19-digit bank card, a 12-digit region code, a landline.
        ("卡号 6222021234567890123", "卡号 6222021234567890123"),
        ("村 433124102201", "村 433124102201"),
        ("座机 0743-8521234", "座机 0743-8521234"),
        ("12812345678 不是手机号", "12812345678 不是手机号"),
    ],
)
def test_mask_text(text: str, expected: str) -> None:
    assert mask_text(text) == expected


def test_the_shapes_agree_with_the_registry_masks() -> None:
    assert mask_text("43312419800501003X") == mask_id("43312419800501003X")
    assert mask_text("13812345678") == mask_phone("13812345678")


def _record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("fangpin.t", logging.WARNING, __file__, 1, msg, args, exc_info)


def test_the_filter_masks_the_formatted_message_and_drops_the_args() -> None:
    record = _record("查无此人：%s，电话 %s", "43312419800501003X", "13812345678")

    assert MaskPersonalInfo().filter(record) is True
    assert record.msg == "查无此人：433124********003X，电话 138****5678"
    assert record.args == ()
    assert record.getMessage() == "查无此人：433124********003X，电话 138****5678"


def test_the_filter_masks_the_exception_text() -> None:
    try:
        raise ValueError("bad id 43312419800501003X")
    except ValueError as exc:
        record = _record("failed", exc=exc)

    MaskPersonalInfo().filter(record)

    assert record.exc_text is not None
    assert "43312419800501003X" not in record.exc_text
    assert "bad id 433124********003X" in record.exc_text
    line = logging.Formatter().format(record)
    assert "43312419800501003X" not in line


def test_every_console_line_of_the_app_is_masked() -> None:
    # The settings' LOGGING puts the filter on the console handler of "fangpin" and the root
    # (which Django's own loggers, such as django.request, propagate to).
    handlers = {*logging.getLogger("fangpin").handlers, *logging.getLogger().handlers}
    console = [h for h in handlers if type(h) is logging.StreamHandler]  # not pytest's own
    assert console
    buffer = io.StringIO()
    saved = [h.setStream(buffer) for h in console]
    try:
        logging.getLogger("fangpin.anything").warning("号码 %s", "43312419800501003X")
        logging.getLogger("django.request").error("Bad Request: 13812345678")
    finally:
        for handler, stream in zip(console, saved, strict=True):
            handler.setStream(stream)

    assert buffer.getvalue().splitlines() == ["号码 433124********003X", "Bad Request: 138****5678"]
