-- The lanes' two claims walk only the rows they can take: pending by due time, and sending by lease expiry.
-- Partial indexes stay small however many delivered rows the table holds, and an ordered index scan with a
-- limit stops after the rows it needs.
create index delivery_pending_idx on delivery (connector, next_attempt_at) where status = 'pending';
create index delivery_sending_idx on delivery (connector, lease_until) where status = 'sending';
