-- A checkout had four indexes that lead with the buyer: (source, email), (email, abandoned_at), (email, started_at)
-- and (email, status). A buyer has a handful of checkouts, so (email, status) finds them for a query by one buyer
-- (open checkouts of a source, the reports' email filter, superseding) and the rest is filtered or sorted among
-- those few rows. Each index costs every new checkout an entry, and every change of status another (status is
-- indexed, so the update cannot be heap-only). On PostgreSQL, with 50 rows a statement (pgbench, three runs each), a
-- checkout's insert took 46-78 µs a row with all nine indexes and 38-57 µs with the seven left, its abandonment
-- 126 µs and 96 µs.
-- (email, abandoned_at) stays: the enrichment asks for a hundred buyers' abandonments at once, and before the
-- table's first analyze PostgreSQL guesses that a hundred emails match half of it, so it read the whole table
-- (56 ms a batch) unless an index held both conditions.
drop index checkout_email_idx;
drop index checkout_email_started_idx;
