"""The notify domain. Importing it registers every settings section (domain/settings.py)."""

from services.notify.domain import channel_settings  # noqa: F401  registers "channels"
