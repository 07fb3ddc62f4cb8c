-- Webhooks at scale (docs/webhooks.md): per-endpoint rate limits, endpoint health.

-- An endpoint's rate limit in messages per second, set by its tenant; null: none.
alter table webhook_endpoints add column rate_limit integer check (rate_limit > 0);

-- The dispatcher reads the rate limit with the rest of the endpoint.
create or replace view webhook_destinations as
select id as endpoint_id, tenant_id, url, event_types, enabled, version, secret, previous_secret,
       previous_secret_expires_at, signature_scheme, signing_key, previous_signing_key, previous_key_expires_at,
       rate_limit
from webhook_endpoints
where deleted_at is null;

-- Bucket4j's token buckets of the endpoints' rate limits, shared by every dispatcher replica:
-- one row per endpoint, locked while an attempt takes its token. Owned by the dispatcher.
create table webhook_rate_buckets (
    id          text primary key,
    state       bytea,
    expires_at  bigint
);
create index webhook_rate_buckets_expiry on webhook_rate_buckets (expires_at);

-- How an endpoint's deliveries have been going, kept by the dispatcher: failing_since is the
-- first failed attempt after the last delivered one (null while it delivers). An endpoint that
-- has failed without a success for batchline.webhooks.disable-after is disabled.
create table webhook_endpoint_health (
    endpoint_id      uuid primary key references webhook_endpoints (id),
    failing_since    timestamptz,
    last_failure_at  timestamptz,
    last_success_at  timestamptz,
    disabled_at      timestamptz
);

-- Operational webhooks (webhook.endpoint.disabled) are about an endpoint, not a job.
alter table webhook_deliveries alter column job_id drop not null;
