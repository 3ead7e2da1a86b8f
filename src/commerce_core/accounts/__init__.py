"""Users, roles, sign-in, address books, and the authorization policy every service applies."""
