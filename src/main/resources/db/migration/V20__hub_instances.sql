-- Every hub instance on this database and its heartbeat, in the database's time (one clock for all instances):
-- an instance whose heartbeat lapsed is marked gone by another, which releases the deliveries it held leased (their
-- lease tokens begin with the instance's id). Rows of instances stopped a day ago are deleted.
create table hub_instance (
    id           varchar(16)  primary key,
    host         varchar(255) not null,
    pid          bigint       not null,
    started_at   timestamp with time zone not null,
    heartbeat_at timestamp with time zone not null,
    -- set by a graceful stop ('stopped') or by another instance once the heartbeat lapsed ('gone')
    stopped_at   timestamp with time zone,
    stopped_how  varchar(16)
);
