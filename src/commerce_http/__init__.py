"""HTTP API of the commerce SDK (Falcon). The application arrives with the HTTP issue."""
