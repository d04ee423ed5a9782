"""Complaint history from help-desk exports, applied all or nothing."""
