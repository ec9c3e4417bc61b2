"""Public notice (公示) of a round's results: drafted by the coordinator, approved by the guide, published to the
members for a notice period, objections (异议) filed and answered on the record; printable."""
