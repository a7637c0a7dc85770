"""Shared fixtures for the public, hidden and kit tests. The exercise plugin is loaded from the pytest configuration."""
