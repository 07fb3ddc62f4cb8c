-- A tenant's own jobs per second (docs/limits.md); null keeps the default.
alter table tenant_limits add column jobs_per_second integer;
