"""Benchmarks of the link through real mTLS against the floor (`script/bench`)."""
