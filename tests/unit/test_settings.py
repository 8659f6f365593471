"""Settings come from FACEAUTH_* environment variables, validated once."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from faceauth.bootstrap import ConfigurationError, database_engine
from faceauth.settings import Settings, settings_used_by


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
    # Given neither a URL nor an RDS secret
    monkeypatch.delenv("FACEAUTH_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("FACEAUTH_DB_SECRET_ARN", raising=False)
    # When the database is built, then the error says what to set
    with pytest.raises(ConfigurationError, match="FACEAUTH_DATABASE_URL"):
        database_engine(Settings())


def test_cors_origins_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACEAUTH_CORS_ALLOWED_ORIGINS", "https://app.example, https://b.example")
    assert Settings().cors_allowed_origins == ("https://app.example", "https://b.example")


def test_no_cors_origin_is_allowed_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACEAUTH_CORS_ALLOWED_ORIGINS", raising=False)
    assert Settings().cors_allowed_origins == ()


def test_each_function_reads_its_own_settings() -> None:
    # The purge decides by recorded outcomes: the pass threshold is the compare API's alone.
    assert "FACEAUTH_PASS_THRESHOLD" in settings_used_by("compare")
    assert "FACEAUTH_PASS_THRESHOLD" not in settings_used_by("purge")
    assert set(settings_used_by("migrate")) == {
        name for name in settings_used_by("purge") if name.startswith("FACEAUTH_DB_")
    }
