-- A connector may send one event in several timed steps (e.g. follow-up mails after 1 h, 24 h, 72 h): one delivery
-- per step, numbered from 0. A connector that makes several calls per attempt keeps how many already succeeded in
-- progress, so a retry starts at the call that failed.
alter table delivery add column step integer default 0 not null;
alter table delivery add column progress integer default 0 not null;
