-- Failures kept as reasons (issue 11): an outbox row's last failure and its Sent copy's
-- refusal are stored as a backend/fault reason with its params (a JSON object) and the
-- server's own words, which the UI words in the user's language; the English sentence
-- (error_message) goes.
--
-- error_reply and copy_error keep holding the server's words (the error's detail).
ALTER TABLE outbox ADD COLUMN error_params TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN copy_reason  TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN copy_params  TEXT NOT NULL DEFAULT '';

-- Old reasons map to the new ones where their params are known; the others are cleared and
-- read as their code's general text (the server's words stay).
UPDATE outbox SET
    error_params = CASE error_reason
        WHEN 'gave_up'         THEN json_object('attempts', attempts, 'hours',
                                    CAST(max(updated_at - COALESCE(first_failure_at, updated_at), 0) / 3600000 AS INTEGER))
        ELSE '' END,
    error_reason = CASE error_reason
        WHEN 'gave_up'          THEN 'outbox_gave_up'
        WHEN 'possibly_sent'    THEN 'outbox_possibly_sent'
        WHEN 'interrupted'      THEN 'outbox_interrupted'
        WHEN 'account_disabled' THEN 'outbox_account_disabled'
        WHEN 'postmark_token'   THEN 'postmark_token'
        WHEN 'mailgun_key'      THEN 'mailgun_key'
        ELSE '' END
WHERE error_reason <> '';

-- A refused Sent copy kept "The server refused to file this message in <folder>: <words>":
-- the folder becomes the param, the words stay.
UPDATE outbox SET
    copy_reason = 'outbox_copy_refused',
    copy_params = json_object('folder', substr(copy_error, 44, instr(substr(copy_error, 44), ': ') - 1)),
    copy_error  = substr(copy_error, 44 + instr(substr(copy_error, 44), ': ') + 1)
WHERE copy_error LIKE 'The server refused to file this message in %: %';
UPDATE outbox SET copy_error = '' WHERE copy_reason = '';

ALTER TABLE outbox DROP COLUMN error_message;
