-- H2 has no partial indexes: the pending claim uses delivery_due_idx (connector, status, next_attempt_at); this
-- one serves the claim of expired leases.
create index delivery_sending_idx on delivery (connector, status, lease_until);
