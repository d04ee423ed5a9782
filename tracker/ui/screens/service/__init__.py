"""The Service section: are the speed standards kept, by team, employee, channel or week, down to one contact."""
