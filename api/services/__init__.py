"""The service's logic; routes stay thin and call these with the request's session and user."""
