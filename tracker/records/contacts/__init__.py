"""Customer contacts imported from help desks: service measures, never conduct records."""
