"""The player gateway (seed 002): sessions, credentials, personal details, email and password flows, T&C,
online status and reality checks, for the casino's own web and mobile front end."""
