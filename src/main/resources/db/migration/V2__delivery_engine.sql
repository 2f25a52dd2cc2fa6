-- A replay is a new delivery of the same event to the same connector, so (event, connector) is no longer unique.
alter table delivery drop constraint delivery_event_connector_uk;
alter table delivery add column replay_of varchar(40);
alter table delivery add column dead_at timestamp with time zone;
create index delivery_dead_idx on delivery (status, connector, dead_at);
create index delivery_event_idx on delivery (event_id);

-- What an operator or a receiver decided about a connector; survives restarts.
create table connector_state (
    name            varchar(128) primary key,
    paused          boolean      not null default false,
    disabled_reason varchar(2000),
    updated_at      timestamp with time zone not null
);
