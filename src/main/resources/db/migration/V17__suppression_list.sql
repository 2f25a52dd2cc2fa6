-- The suppression list: buyers who unsubscribed, never to be mailed again (CAN-SPAM, GDPR art. 21, RFC 8058).
-- A buyer is found by email_hash, an HMAC of the trimmed, lower-cased address with the hub's unsubscribe key, so
-- erasure can drop the address (email becomes null) and keep the row: an erased buyer stays unsubscribed.
-- source: link (one-click in a mail), api (an admin), mailchimp, klaviyo.
create table suppression (
    email_hash varchar(64)  primary key,
    email      varchar(320),
    source     varchar(16)  not null,
    reason     varchar(500),
    created_at timestamp with time zone not null
);
create index suppression_created_idx on suppression (created_at);
