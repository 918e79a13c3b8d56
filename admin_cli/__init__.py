"""oclep-admin: the staff command-line tool."""
