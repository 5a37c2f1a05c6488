"""Webhooks: operators' endpoints, the deliveries of domain events to them, signatures and retries."""
