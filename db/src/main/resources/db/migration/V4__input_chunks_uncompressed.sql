-- Input chunks are stored as sent, not compressed: PostgreSQL's default (pglz) compression of
-- the instances cost about 2 s of the database's CPU per million Iris items at intake, more than
-- copying them, to save 10 MB that live only until the job is done. Applies to new rows.
alter table input_chunks alter column instances set storage external;
