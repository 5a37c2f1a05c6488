"""The audit domain: verifying a player's tamper-evident history (issue 14 §5; the chain itself is pitboss.chain)."""
