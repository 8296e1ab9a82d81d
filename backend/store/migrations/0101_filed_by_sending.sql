-- A message filed to a record because it was sent from it — by its button, a bulk send or
-- an automation — says so. Such a link is a manual one for filing (no re-file takes it away),
-- and it was shown as "filed by hand", which nobody did: `sent` marks it, and the timeline
-- and the message's records show it as sent from the record (origin "sent" in the API).
-- Filing the message to that record by hand afterwards clears the mark.
ALTER TABLE message_records ADD COLUMN sent INTEGER NOT NULL DEFAULT 0 CHECK (sent IN (0, 1));
