-- The hub's operational events (hub.*) are about a connector, not a checkout.
alter table outbound_event alter column checkout_id drop not null;
