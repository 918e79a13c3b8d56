"""Persistence and cryptography: tables, envelopes, keys, pseudonyms."""
