-- Users of this workstation and their roles (F17). Secrets never live here.
CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    email      TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    role       TEXT    NOT NULL CHECK (role IN ('super_admin', 'admin', 'collaborator')),
    language   TEXT    NOT NULL CHECK (language IN ('fr', 'en')),
    created_at INTEGER NOT NULL
);

-- Application-wide settings (language before onboarding, the current session, quotas later).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
