"""Settings come from FACEAUTH_* environment variables, validated once."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from faceauth.settings import Settings


def test_defaults_match_the_product_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACEAUTH_DATABASE_URL", "sqlite://")
    settings = Settings()
    assert settings.pass_threshold == 90
    assert (settings.lockout_max_failures, settings.lockout_minutes) == (5, 15)
    assert (settings.pass_retention_days, settings.fail_retention_days) == (3, 28)
    assert settings.max_image_bytes == 4 * 1024 * 1024


def test_environment_overrides_and_database_url_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql+pymysql://u@h/db")
    monkeypatch.setenv("FACEAUTH_PASS_THRESHOLD", "85.5")
    settings = Settings()
    assert (settings.database_url, settings.pass_threshold) == ("mysql+pymysql://u@h/db", 85.5)


def test_a_threshold_outside_0_to_100_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACEAUTH_DATABASE_URL", "sqlite://")
    monkeypatch.setenv("FACEAUTH_PASS_THRESHOLD", "101")
    with pytest.raises(ValidationError):
        Settings()


def test_a_database_must_be_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACEAUTH_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ValidationError, match="FACEAUTH_DATABASE_URL"):
        Settings()
