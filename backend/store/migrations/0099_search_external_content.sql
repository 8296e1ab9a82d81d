-- The search index without a second copy of the mail's text. messages_fts kept its own copy
-- of every subject, address list and body (FTS5's content table): about 21 MB for 10,000
-- ordinary messages, written with the body in the same transaction. It now reads them from
-- messages_search, a view of what the store already holds, whenever a query needs them
-- (snippets and highlights of a page of results); the index itself is unchanged. Writing
-- 10,000 ordinary messages' words took about half the time without the copy.
--
-- An external-content index must be told the words it indexed when a row leaves it: the
-- cleanup trigger now runs BEFORE the message is deleted (its body and addresses still
-- there, also when a folder or an account goes by cascade) and hands the view's row to the
-- index's 'delete' command. A message is indexed once, when its body is stored
-- (body_state leaves 'none' then, never to come back), so the view lists only those and
-- the index always holds exactly the view's rows.
DROP TRIGGER messages_fts_cleanup;
DROP TABLE messages_fts;

CREATE VIEW messages_search AS
SELECT m.id AS id, m.subject AS subject,
       coalesce((SELECT group_concat(a.name || ' ' || a.email, ' ')
                 FROM (SELECT name, email FROM message_addresses
                       WHERE message_id = m.id
                       ORDER BY CASE kind WHEN 'from' THEN 0 WHEN 'sender' THEN 1 WHEN 'reply_to' THEN 2
                                WHEN 'to' THEN 3 WHEN 'cc' THEN 4 ELSE 5 END, position) AS a), '') AS addresses,
       coalesce(b.text, '') AS body
FROM messages m LEFT JOIN message_bodies b ON b.message_id = m.id
WHERE m.body_state <> 'none';

CREATE VIRTUAL TABLE messages_fts USING fts5(
    subject, addresses, body,
    content = 'messages_search', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2'
);

INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');

CREATE TRIGGER messages_fts_cleanup BEFORE DELETE ON messages WHEN old.body_state <> 'none' BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, subject, addresses, body)
    SELECT 'delete', id, subject, addresses, body FROM messages_search WHERE id = old.id;
END;
