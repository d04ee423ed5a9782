"""Complaints: the list, one complaint's page and its flow's forms."""
