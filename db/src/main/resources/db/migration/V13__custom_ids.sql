-- The caller's ids of a job's items (custom_id, docs/api.md#custom-ids): a JSON array of strings
-- (null for an item without one) per chunk, null for a chunk where no item has one. The ids are
-- written with the input chunk and moved to chunk_custom_ids when the job ends and its inputs are
-- released, so they stay as long as the results they name.
alter table input_chunks add column custom_ids bytea;

create table chunk_custom_ids (
    job_id      uuid not null references jobs (id),
    chunk_no    integer not null,
    custom_ids  bytea not null,
    primary key (job_id, chunk_no)
);
