"""Employees: the list, one employee's page, their forms, the roster import."""
