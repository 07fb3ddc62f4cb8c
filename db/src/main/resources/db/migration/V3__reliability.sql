-- Reliability: completion windows, chunk re-drives, skipped chunks, idempotency keys.

-- Each job finishes within its completion window or becomes EXPIRED.
alter table jobs add column expires_at timestamptz;
update jobs set expires_at = created_at + interval '24 hours';
alter table jobs alter column expires_at set not null;
alter table jobs alter column expires_at set default now() + interval '24 hours';

-- The watchdog and the expiry sweep look only at unfinished jobs.
create index jobs_open on jobs (expires_at) where state in ('QUEUED', 'RUNNING', 'CANCELLING');

-- How often the watchdog re-published a chunk nobody answered; past the limit it fails it.
alter table input_chunks add column redrives integer not null default 0;

-- A chunk skipped because its job was cancelled or expired: counted, with no items.
alter table chunk_results add column skipped boolean not null default false;

-- Idempotency-Key: the first request's fingerprint and answer, replayed for a retry with the
-- same key and body. The scope is a tenant id, or 'admin' for the admin endpoints.
create table idempotency_keys (
    scope            text not null,
    idempotency_key  text not null,
    request_hash     bytea not null,
    response_status  integer,
    response_location text,
    response_body    bytea,
    created_at       timestamptz not null,
    primary key (scope, idempotency_key)
);

create index idempotency_keys_created on idempotency_keys (created_at);

-- The dispatcher's claim on a delivery: an attempt is sent and recorded only under the claim it
-- was made with, so a delivery re-claimed after a lease ran out is never sent twice by the two.
alter table webhook_deliveries add column lease_token uuid;
