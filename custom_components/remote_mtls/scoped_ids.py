"""Local ids of mirrored things: the link's entry id, a dash, the remote's stable key or id.

Used for entity unique ids (`entry-<domain>.<platform>.<unique_id>`) and device identifiers
(`entry-<remote device id>`); the link's own entities use an underscore and never match.
"""

from __future__ import annotations


def scoped_id(entry_id: str, remote_id: str) -> str:
    """Return the local id of a remote thing mirrored by the link `entry_id`."""
    return f"{entry_id}-{remote_id}"


def remote_id_of(entry_id: str, local_id: str) -> str | None:
    """Return the remote part of a local id of link `entry_id`, None when it is not one."""
    prefix = f"{entry_id}-"
    return local_id[len(prefix) :] if local_id.startswith(prefix) else None
