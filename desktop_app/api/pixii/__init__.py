"""The Pixii Listing Builder and Jobs API: client, models, vocabulary, rate-limit state."""
