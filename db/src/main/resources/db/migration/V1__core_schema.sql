-- Batchline core schema: tenants and API keys, jobs with their state history, input chunks,
-- chunk results and the transactional outbox.

create table tenants (
    id          uuid primary key,
    name        text not null,
    created_at  timestamptz not null default now()
);

-- API keys are shown once at creation and stored only as SHA-256 hashes.
create table api_keys (
    id          uuid primary key,
    tenant_id   uuid not null references tenants (id),
    key_hash    bytea not null unique,
    key_prefix  text not null,
    created_at  timestamptz not null default now(),
    revoked_at  timestamptz
);

create table jobs (
    id                uuid primary key,
    tenant_id         uuid not null references tenants (id),
    model             text not null,
    model_version     text not null,
    state             text not null,
    total_items       bigint not null,
    succeeded_items   bigint not null default 0,
    failed_items      bigint not null default 0,
    total_chunks      integer not null,
    completed_chunks  integer not null default 0,
    metadata          text,
    created_at        timestamptz not null,
    started_at        timestamptz,
    finished_at       timestamptz,
    updated_at        timestamptz not null,
    -- optimistic locking: several api-service replicas record results for the same job
    version           bigint not null default 0,
    check (succeeded_items + failed_items <= total_items),
    check (completed_chunks <= total_chunks)
);

-- cursor pages of a tenant's jobs, newest first, optionally by state
create index jobs_tenant_page on jobs (tenant_id, created_at desc, id desc);
create index jobs_tenant_state_page on jobs (tenant_id, state, created_at desc, id desc);

create table job_state_history (
    id          bigserial primary key,
    job_id      uuid not null references jobs (id),
    from_state  text,
    to_state    text not null,
    reason      text not null,
    changed_at  timestamptz not null
);

create index job_state_history_job on job_state_history (job_id, id);

-- A job's inputs, N items per chunk (bounded by bytes); instances is the JSON array as sent.
create table input_chunks (
    job_id       uuid not null references jobs (id),
    chunk_no     integer not null,
    first_index  bigint not null,
    item_count   integer not null,
    instances    bytea not null,
    primary key (job_id, chunk_no)
);

-- One row per chunk result; the primary key makes recording idempotent.
create table chunk_results (
    job_id        uuid not null references jobs (id),
    chunk_no      integer not null,
    first_index   bigint not null,
    item_count    integer not null,
    failed_count  integer not null,
    items         bytea not null,
    worker        text,
    recorded_at   timestamptz not null,
    primary key (job_id, chunk_no)
);

-- Transactional outbox: written in the same transaction as the change it announces, published
-- to Kafka by the relay, deleted once the broker has acknowledged it. Chunk rows carry no payload:
-- the relay reads the chunk's instances from input_chunks.
create table outbox (
    id           bigserial primary key,
    topic        text not null,
    record_key   text not null,
    event_id     text not null,
    event_type   text not null,
    job_id       uuid,
    chunk_no     integer,
    payload      bytea,
    created_at   timestamptz not null default now()
);
