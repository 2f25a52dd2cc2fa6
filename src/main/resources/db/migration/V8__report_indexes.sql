-- The reports (/api/carts, /api/stats) select checkouts by start time and by buyer across sources.
create index checkout_started_idx on checkout (started_at);
create index checkout_email_started_idx on checkout (email, started_at);
