"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters: registration authority (1), entity type (1), administrative
division (6 digits), organisation code (9), check digit (1).  The alphabet
has 31 characters (no I, O, S, V, Z); the check digit is
``31 - (sum of value(c_i) * 3^i mod 31) mod 31`` over the first 17.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28


def normalize(code: str) -> str:
    return code.strip().replace(" ", "").replace("-", "").upper()


def check_digit(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why ``code`` (normalized) is not a valid credit code, bilingual; None when it is valid."""
    if len(code) != 18:
        return f"应为 18 位，实为 {len(code)} 位 / must have 18 characters, has {len(code)}"
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        return (f"含非法字符 {''.join(bad)}（不使用 I、O、S、V、Z）/ invalid character(s) {''.join(bad)} "
                "(I, O, S, V, Z are not used)")
    if not code[2:8].isdigit():
        return f"第 3-8 位行政区划码应为数字：{code[2:8]} / positions 3-8 (division code) must be digits"
    expected = check_digit(code[:17])
    if code[17] != expected:
        return f"校验位错误，应为 {expected} / wrong check digit, expected {expected}"
    return None


def make(first17: str) -> str:
    """Append the check digit (used to build demo firms' codes)."""
    return first17 + check_digit(first17)


def organisation_code(body8: str) -> str:
    """GB 11714 organisation code: 8 characters and their check character (digit or X)."""
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    values = [int(c) if c.isdigit() else ord(c) - ord("A") + 10 for c in body8]
    rest = 11 - sum(v * w for v, w in zip(values, weights, strict=True)) % 11
    return body8 + ("X" if rest == 10 else "0" if rest == 11 else str(rest))
