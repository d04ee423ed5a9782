"""The API both front ends call: one package per record type, commands apart from queries."""
