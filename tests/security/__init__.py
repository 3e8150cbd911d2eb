"""Security tests: the integration against a scripted hostile remote behind a real mTLS nginx."""
