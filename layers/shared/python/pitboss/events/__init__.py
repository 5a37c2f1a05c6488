"""Domain events: item changes from the table's stream, told as what happened to a player or a wallet."""
