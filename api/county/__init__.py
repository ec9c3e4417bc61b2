"""County deployment: nested alliances and escalation of what a park plan could not clear (docs/county.md)."""
