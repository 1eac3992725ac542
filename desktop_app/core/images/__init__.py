"""Images on disk: the content-addressed cache, checking and reading images, export."""
