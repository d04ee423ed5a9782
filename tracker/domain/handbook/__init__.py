"""The handbook as the tracker reads it: model, where it lives on disk, parser, diff."""
