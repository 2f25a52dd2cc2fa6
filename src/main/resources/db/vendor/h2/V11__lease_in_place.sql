-- A leased delivery stays 'pending' with its lease token and expiry; a lease that runs out makes it claimable again
-- through the pending claim's index (connector, status, next_attempt_at). The 'sending' status and the indexes that
-- served it go: leases are released by delivery id.
update delivery set status = 'pending' where status = 'sending';
drop index delivery_sending_idx;
drop index delivery_lease_idx;
