"""The publish window and what it watches: slots, flow, guard, markets, local photos, the Amazon account."""
