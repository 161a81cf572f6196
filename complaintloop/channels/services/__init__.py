"""Inbound channels: every state change goes through tickets.services."""
