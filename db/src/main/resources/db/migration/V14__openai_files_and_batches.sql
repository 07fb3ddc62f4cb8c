-- The OpenAI-Batch-compatible API (docs/openai.md), owned by the api-service.

-- Files: an uploaded batch input (its bytes in parts below), or a batch's output or error file,
-- which holds no bytes: it is read from the job's results (job_id) while they are kept.
create table openai_files (
    id          text primary key,
    tenant_id   uuid not null references tenants (id),
    purpose     text not null check (purpose in ('batch', 'batch_output', 'batch_error')),
    filename    text not null,
    bytes       bigint,
    lines       bigint not null default 0,
    job_id      uuid references jobs (id) on delete set null,
    created_at  timestamptz not null,
    expires_at  timestamptz
);

create index openai_files_expiry on openai_files (expires_at) where expires_at is not null;

create table openai_file_parts (
    file_id  text not null references openai_files (id) on delete cascade,
    part_no  integer not null,
    data     bytea not null,
    primary key (file_id, part_no)
);

alter table openai_file_parts alter column data set storage external;

-- Batches: one job each, or none when the input was refused (errors holds why).
create table openai_batches (
    id                 text primary key,
    tenant_id          uuid not null references tenants (id),
    job_id             uuid references jobs (id) on delete set null,
    input_file_id      text not null,
    endpoint           text not null,
    completion_window  text not null,
    metadata           text,
    errors             text,
    output_file_id     text,
    error_file_id      text,
    created_at         timestamptz not null,
    failed_at          timestamptz,
    -- the signature of the model version the job runs (the outputs are written in its types)
    signature          text
);

create index openai_batches_by_tenant on openai_batches (tenant_id, created_at desc, id desc);
