"""The gallery of a job: tiles, model, preview, compliance marks, Make compliant, export."""
