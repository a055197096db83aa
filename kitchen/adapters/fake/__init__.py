"""In-memory fakes, one per port, for tests and offline development."""
