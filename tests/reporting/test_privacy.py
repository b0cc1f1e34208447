import os
import stat

import pytest

from bot.reporting.privacy import MASK, SenderHasher, load_salt, redact


def test_hash_is_stable_per_salt_and_differs_across_salts():
    a, b = SenderHasher(b"one"), SenderHasher(b"two")
    assert a("wecom-zhangsan") == a("wecom-zhangsan") != a("wecom-lisi")
    assert a("wecom-zhangsan") != b("wecom-zhangsan")
    assert "zhangsan" not in a("wecom-zhangsan") and len(a("x")) == 12
    with pytest.raises(ValueError):
        SenderHasher(b"")


def test_salt_file_is_created_once_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("BOT_REPORT_SALT", raising=False)
    path = tmp_path / "state" / "report_salt"
    first = load_salt(path)
    assert load_salt(path) == first and len(first) == 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    monkeypatch.setenv("BOT_REPORT_SALT", "from-env")
    assert load_salt(path) == b"from-env"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我的电话13812345678能预约吗", f"我的电话{MASK}能预约吗"),
        ("身份证110101199003071234", f"身份证{MASK}"),
        ("身份证11010119900307123X", f"身份证{MASK}"),
        ("电话 138-1234-5678", f"电话 {MASK}"),
        ("１３８１２３４５６７８", MASK),  # full-width digits
        ("60岁以上打第3针，2022年5月", "60岁以上打第3针，2022年5月"),  # short numbers stay
    ],
)
def test_long_digit_runs_are_masked(text, expected):
    assert redact(text) == expected
