"""Delivering answers: the services listeners share, the answering queue (durable until answered),
questions, escalation, reminders and reader settings."""
