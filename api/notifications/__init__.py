"""Notifications (issue 14): an in-app inbox per user and, optionally, a webhook per alliance (a work-chat robot)
fed from an outbox that a sender thread delivers with retries."""
