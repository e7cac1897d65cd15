"""Fixtures of the governance tests."""

from mutua.governance.tests.groups import group

__all__ = ["group"]
