"""Signed access tokens as JWTs through PyJWT.

Only the configured algorithm is accepted (so ``alg: none`` and algorithm swaps fail), and a
token must carry ``sub``, ``jti``, ``iat`` and ``exp`` and name this issuer.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from commerce_core.accounts.policy import Role
from commerce_core.accounts.ports import TokenClaims
from commerce_core.clock import Clock, SystemClock
from commerce_core.errors import Unauthenticated
from commerce_core.validation import MAX_ID

MIN_SECRET_BYTES = 32  # RFC 7518 3.2: an HS256 key at least as long as the hash output
ISSUER = "commerce-sdk"
CLOCK_SKEW = timedelta(seconds=60)  # how far ahead of ours a server's clock may run


class JwtTokens:
    def __init__(self, secret: str | bytes, algorithm: str = "HS256",
                 clock: Clock | None = None, issuer: str = ISSUER) -> None:
        key = secret.encode() if isinstance(secret, str) else secret
        if len(key) < MIN_SECRET_BYTES:
            raise ValueError(f"the token secret must be at least {MIN_SECRET_BYTES} bytes")
        if not algorithm.startswith("HS"):
            raise ValueError("JwtTokens signs with a shared secret: use HS256, HS384 or HS512")
        self._key = key
        self._algorithm = algorithm
        self._clock = clock or SystemClock()
        self._issuer = issuer

    def issue(self, claims: TokenClaims) -> str:
        payload = {"sub": str(claims.user_id), "role": claims.role.value,
                   "jti": claims.token_id, "gen": claims.generation, "iss": self._issuer,
                   "iat": int(claims.issued_at.timestamp()),
                   "exp": int(claims.expires_at.timestamp())}
        return jwt.encode(payload, self._key, algorithm=self._algorithm)

    def verify(self, token: str) -> TokenClaims:
        try:
            # PyJWT checks exp against the wall clock; we check it against ours below, so
            # a test clock and the server agree on what "expired" means.
            data = jwt.decode(token, self._key, algorithms=[self._algorithm],
                              issuer=self._issuer,
                              options={"require": ["sub", "jti", "iat", "exp", "iss"],
                                       "verify_exp": False, "verify_iat": False})
            claims = TokenClaims(int(data["sub"]), Role(data["role"]), str(data["jti"]),
                                 datetime.fromtimestamp(int(data["iat"]), UTC),
                                 datetime.fromtimestamp(int(data["exp"]), UTC),
                                 int(data.get("gen", 0)))
        except (jwt.InvalidTokenError, KeyError, ValueError, TypeError, OverflowError, OSError):
            raise Unauthenticated("invalid token") from None
        now = self._clock.now()
        if not 1 <= claims.user_id <= MAX_ID:  # no such user can exist in any store
            raise Unauthenticated("invalid token")
        if claims.issued_at > now + CLOCK_SKEW:  # we never issue one for later
            raise Unauthenticated("invalid token: issued in the future")
        if claims.expires_at <= now:
            raise Unauthenticated("the token has expired")
        return claims
