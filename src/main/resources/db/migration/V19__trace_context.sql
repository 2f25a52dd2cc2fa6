-- The W3C traceparent of the span that wrote the row (null while tracing is off): the timer's span continues the
-- trace of the notice that started or last refreshed the checkout, and each delivery attempt's that of the fan-out
-- that wrote its event.
alter table checkout add column trace_parent varchar(55);
alter table outbound_event add column trace_parent varchar(55);
