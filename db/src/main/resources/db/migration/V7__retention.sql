-- Retention. A job's input chunks are deleted when the job reaches a terminal state: nothing
-- reads them after that (late results and dead letters of a finished job are ignored, the
-- watchdog looks only at unfinished jobs). V4's comment said they "live only until the job is
-- done"; until this migration they were in fact kept for ever.
--
-- Results are kept for the job's retention after it finishes (results_expire_at, set when it
-- reaches a terminal state), then purged in the background in bounded batches. The job row
-- stays as a tombstone (purged_at set, state, counts and history kept) so that its status
-- still says what happened and its results answer 410; the tombstone is deleted later.

-- How long the job's results are kept after it finishes (output_expires_after.seconds). Jobs
-- submitted before this migration get 30 days, the default of
-- batchline.api.jobs.default-results-retention.
alter table jobs add column results_retention_seconds bigint not null default 2592000;
alter table jobs alter column results_retention_seconds drop default;

alter table jobs add column results_expire_at timestamptz;
alter table jobs add column purged_at timestamptz;

update jobs set results_expire_at = finished_at + make_interval(secs => results_retention_seconds)
where finished_at is not null;

-- The purge looks only at finished jobs not purged yet, the tombstone cleanup only at purged ones.
create index jobs_results_due on jobs (results_expire_at) where results_expire_at is not null and purged_at is null;
create index jobs_purged on jobs (purged_at) where purged_at is not null;

-- The inputs of jobs that finished before this migration.
delete from input_chunks c
using jobs j
where j.id = c.job_id and j.state in ('SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'CANCELLED', 'EXPIRED');
