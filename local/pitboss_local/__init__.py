"""The docker-free local stack: DynamoDB Local, the table from template.yaml, and an HTTP front that turns
requests into API Gateway HTTP API (payload 2.0) events for the very same handlers."""
