-- The W3C trace context (docs/observability.md) of what an outbox row announces and of what a
-- webhook delivery sends, so that a trace survives the wait in PostgreSQL: the relay puts it on the
-- record (CloudEvents distributed-tracing extension), the dispatcher on the webhook request.
-- Null when tracing is off.
alter table outbox add column traceparent text, add column tracestate text;
alter table webhook_deliveries add column traceparent text, add column tracestate text;
