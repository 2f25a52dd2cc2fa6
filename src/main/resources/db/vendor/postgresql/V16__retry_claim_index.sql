-- While a connector's circuit breaker is open its lane claims only retries (deliveries tried before), which follow
-- their own backoff; new deliveries wait for the breaker. The pending index would make that claim step over every
-- new delivery due before the first retry, so retries get a partial index of their own. A delivery enters it only
-- when an attempt failed or was throttled, and leaves it (for vacuum) once delivered or dead.
create index delivery_retry_idx on delivery (connector, next_attempt_at)
    where status = 'pending' and attempts > 0 and next_attempt_at is not null;
