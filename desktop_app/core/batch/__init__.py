"""Batches: CSV rows, the runner, the batch as the journal keeps it, its export."""
