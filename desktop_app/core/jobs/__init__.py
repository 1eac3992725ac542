"""Jobs: the job service, paid submissions, the submission limiter, poll leases, process identity, expiry and reviews."""
