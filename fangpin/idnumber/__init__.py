"""Resident ID numbers (公民身份号码, GB 11643-1999): normalise, validate, parse, build.

Pure standard library; never imports Django. Region codes are checked against the database
only through the ``region_known`` callback passed to :func:`parse`.
"""

from fangpin.idnumber._parse import (
    EARLIEST_BIRTH_DATE,
    PROVINCE_PREFIXES,
    IdNumberError,
    ResidentId,
    Sex,
    build,
    check_character,
    is_valid,
    normalise,
    parse,
    upgrade15,
)

__all__ = [
    "EARLIEST_BIRTH_DATE",
    "PROVINCE_PREFIXES",
    "IdNumberError",
    "ResidentId",
    "Sex",
    "build",
    "check_character",
    "is_valid",
    "normalise",
    "parse",
    "upgrade15",
]
