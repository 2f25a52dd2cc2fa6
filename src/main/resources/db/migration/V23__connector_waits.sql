-- When a connector's target asked the hub to wait (429 or 503 with Retry-After), for the instances sharing this
-- database: each of them waits until then too. Kept apart from connector_state, whose changes are pauses, resumes
-- and disables.
create table connector_wait (
    name       varchar(128) primary key,
    wait_until timestamp with time zone not null
);
