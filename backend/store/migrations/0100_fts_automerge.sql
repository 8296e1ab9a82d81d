-- The search index merges its segments eight at a time rather than four. A sync writes one
-- segment per batch of bodies (400 messages); FTS5 merges a level's segments into one of
-- the next level once it holds `automerge` of them, so each message's words were written
-- again at every level: log4 of the batches (3.5 times at 50,000 messages), against log8
-- (2.3 times) now. A first sync of 50,000 ordinary messages took 10.1–11.8 s against
-- 12.2–15.2 s, alternating on the same machine. A query may read a few more segments (up
-- to seven a level, against three).
INSERT INTO messages_fts(messages_fts, rank) VALUES ('automerge', 8);
