"""Tests of the demo seeder."""
