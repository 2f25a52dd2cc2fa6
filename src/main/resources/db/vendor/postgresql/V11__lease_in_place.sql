-- A leased delivery stays 'pending': its lease is the token and expiry alone, and no index holds either, so taking
-- a lease rewrites the row on its own page (a heap-only update) instead of adding an entry to every index of the
-- table. A lease that runs out makes the row claimable again through the same pending index, so the 'sending'
-- status and the indexes that served it go. The pages keep room for those in-place updates.
update delivery set status = 'pending' where status = 'sending';
drop index delivery_sending_idx;
drop index delivery_lease_idx;
alter table delivery set (fillfactor = 70);
