-- What a connector must remember of a vendor's answer to reach the same object later, e.g. the ticket a ticket
-- system opened for an abandoned checkout, so the recovery can add a note to it. Keyed by the connector and the
-- source event both outbound events of a checkout share; no email or other personal data.
create table connector_ref (
    connector   varchar(128) not null,
    event_key   varchar(400) not null,
    external_id varchar(255) not null,
    created_at  timestamp with time zone not null,
    constraint connector_ref_pk primary key (connector, event_key)
);
create index connector_ref_created_idx on connector_ref (created_at);
