"""Parsing one spreadsheet cell. Each parser returns a value or raises ``CellError`` with a Chinese message.

Cells arrive as openpyxl gives them (str, int, float, datetime, None) or as CSV text.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

#: A cell an export wrote as text because it began like a formula; in a CSV the guard is a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@")


class CellError(ValueError):
    pass


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def text(value) -> str:
    """A cell as text: numbers typed into Excel (20240001 or 20240001.0) become their digits."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    result = str(value).strip()
    if result.startswith("'") and result[1:2] in FORMULA_STARTS:
        result = result[1:]  # our CSV export's guard against formula injection
    return result


def integer(value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = text(value)
    try:
        number = int(Decimal(raw))
        if Decimal(raw) != number:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise CellError(_("“%(value)s”不是整数") % {"value": raw}) from None
    if minimum is not None and number < minimum:
        raise CellError(_("%(value)s 小于最小值 %(min)s") % {"value": number, "min": minimum})
    if maximum is not None and number > maximum:
        raise CellError(_("%(value)s 大于最大值 %(max)s") % {"value": number, "max": maximum})
    return number


def decimal(value, *, minimum: Decimal, maximum: Decimal, places: int = 2) -> Decimal:
    raw = text(value).rstrip("%")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise CellError(_("“%(value)s”不是数字") % {"value": raw}) from None
    if not number.is_finite() or not minimum <= number <= maximum:
        raise CellError(_("%(value)s 不在 %(min)s 到 %(max)s 之间") % {"value": raw, "min": minimum, "max": maximum})
    return number.quantize(Decimal(1).scaleb(-places))


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise CellError(_("“%(value)s”不是日期（例如 2026-09-01）") % {"value": raw})


def choice(value, choices: dict[str, str]) -> str:
    """A value from a label → key map (labels in Chinese, keys and English accepted too)."""
    raw = text(value)
    found = choices.get(raw) or choices.get(raw.lower())
    if found is None:
        allowed = "、".join(label for label, key in choices.items() if label != key and not label.isascii())
        raise CellError(_("“%(value)s”不是有效取值（可填：%(allowed)s）") % {"value": raw, "allowed": allowed})
    return found
