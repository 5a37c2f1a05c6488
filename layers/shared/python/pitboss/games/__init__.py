"""Game sessions (issue 11 #6): a provider's authenticate call and the gateway's start game, one session each."""
