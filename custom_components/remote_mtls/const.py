"""Constants of the Remote Home Assistant (mTLS) integration."""

from typing import Final

DOMAIN: Final = "remote_mtls"
