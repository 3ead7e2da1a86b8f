"""Default password hashing (argon2id) and access tokens (JWT) for the accounts ports."""
