-- Templates (F12): a mail written once with placeholders ({{facture.echeance}}), rendered
-- for one record at a time. The plain-text part follows the HTML until someone edits it by
-- hand (text_edited), then it is kept as written.
CREATE TABLE templates (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    language    TEXT    NOT NULL CHECK (language IN ('fr', 'en')),
    -- The kind of record the template is written for (the preview lists its records); a
    -- deleted type leaves the template without one.
    type_id     INTEGER REFERENCES record_types(id) ON DELETE SET NULL,
    subject     TEXT    NOT NULL DEFAULT '',
    html        TEXT    NOT NULL DEFAULT '',
    text        TEXT    NOT NULL DEFAULT '',
    text_edited INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,                               -- Unix milliseconds
    created_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX templates_name ON templates(name COLLATE NOCASE);

-- Files sent with every mail of the template, kept in the store (a template is complete on
-- its own: a backup carries its attachments, and no path on disk can go missing).
CREATE TABLE template_attachments (
    id           INTEGER PRIMARY KEY,
    template_id  INTEGER NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    data         BLOB    NOT NULL,
    position     INTEGER NOT NULL
);
CREATE INDEX template_attachments_by_template ON template_attachments(template_id, position);
