-- An agent's notifications are read by recipient (`agent:<id>` or the token's name), newest
-- first: the filter runs in the query, and this index keeps it from reading everyone's.
CREATE INDEX notifications_recipient ON notifications (recipient, id);
