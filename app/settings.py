"""Settings from environment variables prefixed ``NNVIZ_`` (e.g. ``NNVIZ_DATA_DIR``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NNVIZ_")

    data_dir: Path = Path("data")  # where anything persistent is written
    host: str = "127.0.0.1"
    port: int = 8000


@lru_cache
def get_settings() -> Settings:
    return Settings()
