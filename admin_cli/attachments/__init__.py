"""Staff side of attachments: export decrypted files, and clean copies of their metadata."""
