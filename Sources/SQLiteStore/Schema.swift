import GRDB

/// The store's schema, one migration per version. Never edit a shipped migration: add the next one.
enum Schema {
    /// The newest migration this build knows.
    static let latest = "v1"

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            // Devices: the identity (organisation + device key) and the inventory's attributes, last write wins.
            try db.execute(sql: """
                CREATE TABLE device (
                    id INTEGER PRIMARY KEY,
                    organisation TEXT NOT NULL,
                    device_key TEXT NOT NULL,
                    segment TEXT NOT NULL,
                    region TEXT NOT NULL,
                    country TEXT NOT NULL,
                    industry TEXT NOT NULL,
                    device_type TEXT NOT NULL,
                    site TEXT NOT NULL,
                    UNIQUE (organisation, device_key)
                );
                -- All traffic: queries per day × device (device = organisation × device key).
                CREATE TABLE traffic_daily (
                    day INTEGER NOT NULL,
                    device_id INTEGER NOT NULL,
                    queries INTEGER NOT NULL,
                    PRIMARY KEY (day, device_id)
                ) WITHOUT ROWID;
                -- The same traffic per month × device: a bit per active day (bit i = day-of-month i+1) and the
                -- month's queries. Derived from the same batches as traffic_daily; makes "devices seen" over long
                -- periods a scan of one row per device-month instead of one per device-day.
                CREATE TABLE activity_monthly (
                    month INTEGER NOT NULL,
                    device_id INTEGER NOT NULL,
                    days INTEGER NOT NULL,
                    queries INTEGER NOT NULL,
                    PRIMARY KEY (month, device_id)
                ) WITHOUT ROWID;
                -- Malicious (flagged) queries per day × device, each query once; only devices with some.
                CREATE TABLE flagged_daily (
                    day INTEGER NOT NULL,
                    device_id INTEGER NOT NULL,
                    queries INTEGER NOT NULL,
                    known_queries INTEGER NOT NULL,
                    PRIMARY KEY (day, device_id)
                ) WITHOUT ROWID;
                -- Detections per day × device × category × tier × family (family '' = unattributed).
                CREATE TABLE threat_daily (
                    day INTEGER NOT NULL,
                    device_id INTEGER NOT NULL,
                    category TEXT NOT NULL,
                    tier TEXT NOT NULL,
                    family TEXT NOT NULL,
                    queries INTEGER NOT NULL,
                    first_ns INTEGER NOT NULL,
                    last_ns INTEGER NOT NULL,
                    PRIMARY KEY (day, device_id, category, tier, family)
                ) WITHOUT ROWID;
                -- Detections per day × device × category × tier × tag (iab, ransomware, targeted-industry:…).
                CREATE TABLE tag_daily (
                    day INTEGER NOT NULL,
                    device_id INTEGER NOT NULL,
                    category TEXT NOT NULL,
                    tier TEXT NOT NULL,
                    tag TEXT NOT NULL,
                    queries INTEGER NOT NULL,
                    first_ns INTEGER NOT NULL,
                    last_ns INTEGER NOT NULL,
                    PRIMARY KEY (day, device_id, category, tier, tag)
                ) WITHOUT ROWID;
                -- Phishing detections per day × device × tier × campaign key × targeted industry.
                CREATE TABLE phishing_daily (
                    day INTEGER NOT NULL,
                    device_id INTEGER NOT NULL,
                    tier TEXT NOT NULL,
                    campaign TEXT NOT NULL,
                    industry TEXT NOT NULL,
                    queries INTEGER NOT NULL,
                    first_ns INTEGER NOT NULL,
                    last_ns INTEGER NOT NULL,
                    PRIMARY KEY (day, device_id, tier, campaign, industry)
                ) WITHOUT ROWID;
                -- Tags seen on each family's detections (for marking ransomware, IAB…).
                CREATE TABLE family_tag (
                    family TEXT NOT NULL,
                    tag TEXT NOT NULL,
                    PRIMARY KEY (family, tag)
                ) WITHOUT ROWID;
                -- First sighting (and first resolving / malicious one) of every tracked domain, for newly observed
                -- domains, and the UTC day it was last seen, for retention. The last day changes at most once a day
                -- per domain, so that a writer can skip domains a batch tells nothing new about.
                CREATE TABLE domain (
                    name TEXT PRIMARY KEY,
                    first_ns INTEGER NOT NULL,
                    last_day INTEGER NOT NULL,
                    first_resolved_ns INTEGER,
                    first_malicious_ns INTEGER
                ) WITHOUT ROWID;
                CREATE INDEX domain_first ON domain (first_ns);
                -- Every detection with its evidence.
                CREATE TABLE detection (
                    id INTEGER PRIMARY KEY,
                    time_ns INTEGER NOT NULL,
                    device_id INTEGER NOT NULL REFERENCES device (id),
                    query_name TEXT NOT NULL,
                    query_type TEXT NOT NULL,
                    rcode TEXT NOT NULL,
                    category TEXT NOT NULL,
                    tier TEXT NOT NULL,
                    family TEXT NOT NULL,
                    tags TEXT NOT NULL,
                    indicator TEXT NOT NULL,
                    detector TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    source_feed TEXT NOT NULL,
                    reference TEXT NOT NULL,
                    score REAL,
                    threshold REAL,
                    source_file TEXT NOT NULL,
                    source_line INTEGER NOT NULL,
                    source_offset INTEGER NOT NULL
                );
                CREATE INDEX detection_time ON detection (time_ns);
                CREATE INDEX detection_device ON detection (device_id, time_ns);
                -- How far each input has been ingested; written in the same transaction as its roll-ups.
                CREATE TABLE checkpoint (
                    stream_key TEXT PRIMARY KEY,
                    path TEXT NOT NULL,
                    file_device INTEGER NOT NULL,
                    inode INTEGER NOT NULL,
                    size INTEGER NOT NULL,
                    modified_ns INTEGER NOT NULL,
                    head_length INTEGER NOT NULL,
                    head_hash INTEGER NOT NULL,
                    part INTEGER NOT NULL,
                    byte_offset INTEGER NOT NULL,
                    records INTEGER NOT NULL,
                    complete INTEGER NOT NULL,
                    updated_ns INTEGER NOT NULL
                );
                CREATE INDEX checkpoint_file ON checkpoint (file_device, inode);
                -- What each ingest run used (sources, feeds, detectors), as JSON, for the methodology.
                CREATE TABLE ingest_run (
                    id INTEGER PRIMARY KEY,
                    started_ns INTEGER NOT NULL,
                    finished_ns INTEGER NOT NULL,
                    body TEXT NOT NULL
                );
                """)
        }
        return m
    }
}
