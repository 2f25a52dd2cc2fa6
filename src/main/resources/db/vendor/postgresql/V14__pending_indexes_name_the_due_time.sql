-- The two partial indexes serve the scans for due rows, and those name the due time. With the status alone as their
-- condition, PostgreSQL also chose them for statements that look one row up by its id, its event or its buyer whenever
-- the statistics counted few pending rows (autovacuum analyzes when it likes) and then read every pending row's entry:
-- 9 to 64 ms a statement behind 100,000 pending checkouts or deliveries, instead of one probe of the right index.
-- Naming the due time in the condition keeps each index to the statements that name it (a comparison with the due
-- time implies that it is not null). The builds lock the two tables' writes for as long as they take.
drop index delivery_pending_idx;
create index delivery_pending_idx on delivery (connector, next_attempt_at)
    where status = 'pending' and next_attempt_at is not null;
drop index checkout_due_idx;
create index checkout_due_idx on checkout (due_at) where status = 'pending' and due_at is not null;
