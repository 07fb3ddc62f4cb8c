-- Webhooks: endpoints a tenant registers, the secret for per-job callbacks, one delivery per
-- (event, destination) with its schedule, and every attempt.

-- The secret that signs callbacks to a job's own "callback.url"; rotated like endpoint secrets.
alter table tenants add column webhook_secret text;
alter table tenants add column previous_webhook_secret text;
alter table tenants add column previous_webhook_secret_expires_at timestamptz;

alter table jobs add column callback_url text;

create table webhook_endpoints (
    id                          uuid primary key,
    tenant_id                   uuid not null references tenants (id),
    url                         text not null,
    event_types                 text[] not null,
    enabled                     boolean not null default true,
    description                 text,
    secret                      text not null,
    previous_secret             text,
    previous_secret_expires_at  timestamptz,
    disabled_reason             text,
    -- endpoints are deleted softly: their delivery log stays readable
    deleted_at                  timestamptz,
    created_at                  timestamptz not null,
    updated_at                  timestamptz not null,
    version                     bigint not null default 0
);

create index webhook_endpoints_tenant on webhook_endpoints (tenant_id, created_at);

create table webhook_deliveries (
    id               uuid primary key,
    event_id         uuid not null,
    event_type       text not null,
    tenant_id        uuid not null references tenants (id),
    job_id           uuid not null,
    -- null for a job's own callback URL
    endpoint_id      uuid references webhook_endpoints (id),
    url              text not null,
    -- the exact bytes that are signed and sent, on every attempt
    payload          bytea not null,
    status           text not null,
    attempts         integer not null default 0,
    next_attempt_at  timestamptz,
    last_attempt_at  timestamptz,
    last_status_code integer,
    last_error       text,
    delivered_at     timestamptz,
    created_at       timestamptz not null,
    -- one delivery per event and destination: consuming an event twice changes nothing
    destination      text not null,
    unique (event_id, destination)
);

-- the dispatcher's work queue: due pending deliveries, claimed with FOR UPDATE SKIP LOCKED
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'PENDING';
create index webhook_deliveries_tenant on webhook_deliveries (tenant_id, created_at desc);
create index webhook_deliveries_job on webhook_deliveries (job_id);

create table webhook_attempts (
    id                bigserial primary key,
    delivery_id       uuid not null references webhook_deliveries (id),
    attempted_at      timestamptz not null,
    status_code       integer,
    latency_ms        integer not null,
    error             text,
    response_excerpt  text
);

create index webhook_attempts_delivery on webhook_attempts (delivery_id, id);
