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
]
