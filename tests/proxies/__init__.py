"""The README's proxy recipes, run as they are by the real proxies."""
