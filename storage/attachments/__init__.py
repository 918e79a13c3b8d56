"""Attachments: documents and photos given as evidence, sealed to the staff key on arrival."""
