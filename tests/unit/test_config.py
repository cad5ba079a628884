"""``edi.toml``: defaults, the keys operations set, and typos refused with the key named."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from processor.config import ConfigError, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "edi.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_means_the_defaults() -> None:
    config = load_config(None)
    assert (config.utility.cutoff, config.utility.received_time, config.billing.window_business_days) == (
        time(18, 45), "arrival", 5)


def test_the_settings_are_read(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[utility]\ncutoff = "17:00"\n[billing]\nwindow_business_days = 10\n'))
    assert (config.utility.cutoff, config.billing.window_business_days) == (time(17, 0), 10)


@pytest.mark.parametrize(("text", "message"), [
    ('[billing]\nwindow_business_days = "5"\n', "[billing].window_business_days must be a whole number"),
    ("[billing]\nwindow_business_days = true\n", "[billing].window_business_days must be a whole number"),
    ("[billing]\nwindow_business_days = -1\n", "[billing].window_business_days cannot be negative"),
    ("[billing]\nwindow = 5\n", "[billing]: unknown key(s) window"),
    ("[utility]\nduns = 12345\n", "[utility].duns must be a string"),
    ('[utility]\ncutoff = "6:45 pm"\n', "[utility].cutoff must be HH:MM"),
    ('[utility]\nreceived_time = "file"\n', '[utility].received_time must be "arrival" or "run"'),
    ("[bill]\n", "unknown section(s) bill"),
])
def test_a_bad_setting_is_refused_naming_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(path) in str(caught.value) and message in str(caught.value)
