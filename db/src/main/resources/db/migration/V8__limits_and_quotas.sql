-- Rate limits and quotas per tenant (docs/limits.md).

-- A tenant's own limits, set through the admin API; a null column keeps the default
-- (batchline.api.limits.*).
create table tenant_limits (
    tenant_id            uuid primary key references tenants (id),
    requests_per_second  integer,
    items_per_minute     bigint,
    jobs_in_flight       integer,
    webhook_endpoints    integer,
    stored_bytes         bigint,
    updated_at           timestamptz not null
);

-- Bucket4j's token buckets (requests per second, items per minute), shared by every
-- api-service replica: one row per tenant and limit, locked while a request takes its tokens.
create table rate_limit_buckets (
    id          text primary key,
    state       bytea,
    expires_at  bigint
);
create index rate_limit_buckets_expiry on rate_limit_buckets (expires_at);

-- What a job keeps stored: its input chunks' bytes at submission, plus its results' as they
-- are recorded (the stored-bytes quota).
alter table jobs add column stored_bytes bigint not null default 0;
update jobs j set stored_bytes =
    coalesce((select sum(octet_length(instances)) from input_chunks c where c.job_id = j.id), 0)
  + coalesce((select sum(octet_length(items)) from chunk_results r where r.job_id = j.id), 0);
