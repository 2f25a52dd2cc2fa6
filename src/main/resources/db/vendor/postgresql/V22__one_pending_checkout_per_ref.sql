-- One pending checkout per (source, checkout ref), whichever instance took its notice in: the second instance's
-- insert of the same new checkout fails, and the intake tries that notice again on its own, which then finds the
-- checkout and refreshes it. Older pending duplicates that instances made before this index are superseded by the
-- newest (H2 is one embedded instance and has no partial indexes).
update checkout c set status = 'superseded', closed_at = now(), updated_at = now()
where c.status = 'pending' and c.checkout_ref is not null
  and exists (select 1 from checkout n
              where n.source = c.source and n.checkout_ref = c.checkout_ref and n.status = 'pending'
                and (n.started_at > c.started_at or (n.started_at = c.started_at and n.id > c.id)));

create unique index checkout_pending_ref on checkout (source, checkout_ref)
    where status = 'pending' and checkout_ref is not null;
