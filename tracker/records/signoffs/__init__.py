"""Sign-offs: an employee's signature on one exact handbook version."""
