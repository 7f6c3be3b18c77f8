"""The request context: who is launching (Nova's ``RequestContext``, reduced to what matters)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    """Nova's NoAuth builds this from the access key ``user:project`` and makes it admin."""

    user_id: str = "admin"
    project_id: str = "admin"
    is_admin: bool = True

    @classmethod
    def from_access_key(cls, access_key: str) -> RequestContext:
        """``user:project`` as Nova's NoAuth split it; the project defaults to the user."""
        user, _, project = access_key.partition(":")
        return cls(user_id=user, project_id=project or user, is_admin=True)
