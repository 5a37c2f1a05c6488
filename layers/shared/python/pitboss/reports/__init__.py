"""The reports domain: usage metering, reconciliation and GGR figures, fed from the table's stream (issue 14)."""
