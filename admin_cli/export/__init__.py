"""Spreadsheet export of decrypted submissions: columns, codebook, writers, private files."""
