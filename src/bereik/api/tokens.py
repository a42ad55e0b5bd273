"""Token secrets: ``brk_<prefix>_<secret>``. The prefix finds the row; the SHA-256 hash of the
whole token (which has 256 bits of randomness) is what is stored and compared."""

import hashlib
import hmac
import secrets

TOKEN_START = "brk_"  # noqa: S105 (a marker, not a secret)


def new_token() -> tuple[str, str, str]:
    """A fresh token as ``(token, prefix, hash)``; only the prefix and hash are stored."""
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    return token, prefix, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def prefix_of(token: str) -> str | None:
    """The lookup prefix of a well-formed token, else None."""
    if not token.startswith(TOKEN_START):
        return None
    prefix, separator, secret = token[len(TOKEN_START) :].partition("_")
    if not separator or len(prefix) != 12 or not secret:
        return None
    return prefix


def matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), stored_hash)
