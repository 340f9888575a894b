"""Use cases: the only way the interfaces (command, admin) change what is stored."""
