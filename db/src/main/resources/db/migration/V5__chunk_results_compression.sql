-- Chunk results: PostgreSQL's default compression (pglz) of the items took ~1.25 s of the
-- database's CPU per 200,000 bench-model items (400 rows of ~107 KB), most of what the database
-- spent while workers drained a backlog; lz4 took ~0.25 s and saved 30 % of the bytes (pglz 40 %),
-- storing them as they are ~0.15 s. Results are kept as long as their job, so they stay
-- compressed where the server has lz4 (PGDG and Debian builds do) and are stored as they are
-- where it has not (the embedded binaries of the local run and the tests). Applies to new rows.
do $$
begin
    if exists (select 1 from pg_settings
               where name = 'default_toast_compression' and 'lz4' = any (enumvals)) then
        alter table chunk_results alter column items set compression lz4;
    else
        alter table chunk_results alter column items set storage external;
    end if;
end
$$;
