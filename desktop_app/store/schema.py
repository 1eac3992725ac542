"""Journal schema migrations; the list index + 1 is the schema version (PRAGMA user_version)."""

MIGRATIONS: list[str] = [
    # 1: intents, jobs and their images
    """
    CREATE TABLE intents(
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        service TEXT NOT NULL,
        asin TEXT NOT NULL, country TEXT NOT NULL, listing_type TEXT NOT NULL,
        main_image_url TEXT, other_image_urls TEXT NOT NULL DEFAULT '[]',
        created_at REAL NOT NULL,
        state TEXT NOT NULL,
        job_id TEXT, error_code TEXT,
        batch_id TEXT, batch_line INTEGER
    );
    CREATE INDEX intents_state ON intents(state);
    CREATE INDEX intents_batch ON intents(batch_id);
    CREATE TABLE jobs(
        job_id TEXT PRIMARY KEY,
        service TEXT NOT NULL,
        asin TEXT NOT NULL, country TEXT NOT NULL, listing_type TEXT NOT NULL,
        main_image_url TEXT, other_image_urls TEXT NOT NULL DEFAULT '[]',
        status TEXT NOT NULL,
        created_at TEXT NOT NULL, started_at TEXT, completed_at TEXT,
        credit_cost REAL, credits_refunded REAL, error_code TEXT,
        recorded_at REAL NOT NULL, updated_at REAL NOT NULL,
        intent_id INTEGER REFERENCES intents(id),
        batch_id TEXT
    );
    CREATE INDEX jobs_asin ON jobs(asin);
    CREATE INDEX jobs_status ON jobs(status);
    CREATE TABLE images(
        job_id TEXT NOT NULL REFERENCES jobs(job_id),
        idx INTEGER NOT NULL,
        url TEXT,
        error_code TEXT, error_message TEXT,
        sha256 TEXT, ext TEXT, cache_path TEXT, width INTEGER, height INTEGER,
        review TEXT,
        source TEXT NOT NULL DEFAULT 'service',
        PRIMARY KEY(job_id, idx)
    )
    """,
    # 2: batches (their rows, so a queue survives a restart), the submission log the limiter
    # counts (minute and day windows) with the limits the service announced, and per-job poll
    # leases (two instances never poll one job)
    """
    CREATE TABLE batches(
        batch_id TEXT PRIMARY KEY,
        service TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT '',
        total INTEGER NOT NULL,
        state TEXT NOT NULL,
        stop_code TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE batch_rows(
        batch_id TEXT NOT NULL REFERENCES batches(batch_id),
        line INTEGER NOT NULL,
        asin TEXT NOT NULL, country TEXT NOT NULL, listing_type TEXT NOT NULL,
        main_image_url TEXT, other_image_urls TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY(batch_id, line)
    );
    CREATE TABLE submission_log(
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        service TEXT NOT NULL,
        sent_at REAL NOT NULL,
        done_at REAL
    );
    CREATE INDEX submission_log_time ON submission_log(service, sent_at);
    CREATE TABLE service_limits(
        service TEXT PRIMARY KEY,
        limit_minute INTEGER, limit_day INTEGER,
        remaining_day INTEGER, day_start REAL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE poll_leases(
        job_id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at REAL NOT NULL
    )
    """,
    # 3: publishing to Amazon: every submission with the slot values read before it (for undo)
    """
    CREATE TABLE publish_submissions(
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        seller_id TEXT NOT NULL, sku TEXT NOT NULL, marketplace_id TEXT NOT NULL,
        operation TEXT NOT NULL,
        slots_before TEXT NOT NULL,
        slots_after TEXT NOT NULL,
        state TEXT NOT NULL,
        status TEXT, submission_id TEXT,
        issues TEXT NOT NULL DEFAULT '[]',
        error_code TEXT,
        undo_of INTEGER REFERENCES publish_submissions(id),
        job_id TEXT,
        created_at REAL NOT NULL, updated_at REAL NOT NULL,
        live_at REAL
    );
    CREATE INDEX publish_sku ON publish_submissions(seller_id, sku, marketplace_id)
    """,
    # 4: the listing's issues as read before a publish (so that watching it tells old issues from new ones)
    """
    ALTER TABLE publish_submissions ADD COLUMN issues_before TEXT NOT NULL DEFAULT '[]'
    """,
    # 5: submissions belong to the process sending them (its identity; see core/jobs/lease.py), which beats a
    # heartbeat while it sends; a job adopted for a submission whose process ended is marked, so that the next
    # identical submission takes it instead of paying again (adopted: 0 no, 1 waiting, 2 taken)
    """
    ALTER TABLE intents ADD COLUMN owner TEXT;
    ALTER TABLE intents ADD COLUMN adopted INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE submitters(
        owner TEXT PRIMARY KEY,
        heartbeat_at REAL NOT NULL
    )
    """,
]
