"""Qt-free async clients for the remote services."""
