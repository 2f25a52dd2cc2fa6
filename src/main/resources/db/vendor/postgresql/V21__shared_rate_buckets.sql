-- The token bucket of each connector's rateLimit, shared by the instances on this database (Bucket4j's state, read
-- and written under a row lock per call). H2 is one instance: its buckets stay in memory.
create table rate_bucket (
    id varchar(255) primary key,
    state bytea,
    expires_at bigint
);
