"""Complaints: logged against the handbook in force, worked through its flow."""
