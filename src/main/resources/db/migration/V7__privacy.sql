-- Coupon codes from the configured pool file. A code is claimed once, by a guarded update, and stays claimed even
-- after the checkout it went to is erased or purged: a code is never handed out twice, across instances too.
create table coupon_code (
    code        varchar(255) primary key,
    position    integer      not null,
    claimed_at  timestamp with time zone,
    checkout_id varchar(40)
);
create index coupon_code_free_idx on coupon_code (claimed_at, position);

-- Enrichment counts a buyer's abandonments within the repeat window, whatever the source; burst handling looks
-- for the buyer's other checkouts.
create index checkout_buyer_idx on checkout (email, abandoned_at);
-- The retention purge walks each table by age.
create index notice_received_idx on notice (received_at);
create index checkout_updated_idx on checkout (updated_at);
create index outbound_event_created_idx on outbound_event (created_at);
