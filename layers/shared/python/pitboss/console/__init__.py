"""The back-office console's own reads: finding players by whatever the operator has at hand."""
