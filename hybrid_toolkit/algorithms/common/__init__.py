"""Helpers shared by algorithms (rollout storage, advantage estimation)."""
