"""Read models that span record types: the dashboard, reports, the employee file."""
