"""The player aggregate: identity, dossier, lifecycle and responsible-gaming rules."""
