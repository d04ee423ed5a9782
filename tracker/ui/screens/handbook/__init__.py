"""The handbook: rules, versions, differences, publishing."""
