-- Whether the workers may answer a job's items from their result cache (docs/inference.md).
alter table jobs add column cache boolean not null default false;
