"""Questionnaire model and engine: pure Python, no I/O but reading definition files."""
