"""The journal's storage: the only package that speaks SQLite.

One module per concern, each deciding how its rows are kept: :mod:`.journal` (the connection, its
transactions and migrations, and the jobs, their images and the submissions — intents — that created them),
:mod:`.batches`, :mod:`.publishes`, :mod:`.leases` (poll leases) and :mod:`.limits` (the submission limiter's
log and the limits the service announced). :mod:`.schema` holds the migrations, :mod:`.datadir` says in the
seller's words why the data dir cannot be used. Everything outside this package calls these public methods.
"""
