-- A delivery changes status twice on its way (pending → sending → delivered), and every change that touches an
-- indexed column writes a new entry into each index of the row. Only the indexes that a query needs stay, and
-- those that serve one status become partial, so a delivery on its normal way adds no entry to them.

-- The claims use the partial indexes of V3; (connector, status, next_attempt_at) served no query.
drop index delivery_due_idx;

-- Leases are looked up by token only while they are held.
drop index delivery_lease_idx;
create index delivery_lease_idx on delivery (lease_token) where lease_token is not null;

-- Dead letters, suppressed, cancelled and replayed deliveries are listed by status; pending, sending and delivered
-- ones are found through the other indexes.
drop index delivery_dead_idx;
create index delivery_dead_idx on delivery (status, connector, dead_at)
    where status not in ('pending', 'sending', 'delivered');

-- The abandonment timer looks for due pending checkouts in due order. With (status, due_at) PostgreSQL chose a
-- bitmap scan that rechecked the entry of every checkout that had left pending until vacuum came by (40 ms for
-- nothing due after 25,000 abandonments); an ordered scan of this partial index skips those entries once seen.
drop index checkout_due_idx;
create index checkout_due_idx on checkout (due_at) where status = 'pending';

-- An attempt row is written only in the transaction that moves its delivery on, while that delivery's lease holds,
-- and the purge and the erasure delete attempts before their deliveries. The foreign key's check locked the
-- delivery row again for every attempt: 40 µs of PostgreSQL's CPU per delivery, a fifth of its share.
alter table delivery_attempt drop constraint delivery_attempt_delivery_id_fkey;
