-- Attempts a target answered with "slow down" (429, or 503 with Retry-After): recorded like any attempt, but they
-- are no failure, so they count neither toward retry.maxAttempts nor toward the backoff.
alter table delivery add column throttled integer default 0 not null;
