-- API keys as users expect them (docs/security.md): many per tenant, each with a name, scopes,
-- an optional expiry and the last time it was used. Keys made before scopes existed keep every
-- scope. revoked_at may lie in the future: a rotated key stays valid for the chosen overlap.
alter table api_keys add column name text not null default 'default';
alter table api_keys add column scopes text[] not null
    default '{jobs:read,jobs:write,webhooks:read,webhooks:write,keys:manage}';
alter table api_keys add column expires_at timestamptz;
alter table api_keys add column last_used_at timestamptz;
create index api_keys_by_tenant on api_keys (tenant_id, created_at);

-- Who did what to tenants, keys and secrets, and when (readable by the admin).
create table audit_log (
    id         bigserial primary key,
    at         timestamptz not null,
    actor      text not null,
    tenant_id  uuid,
    action     text not null,
    target     text,
    detail     text
);
create index audit_log_by_time on audit_log (at desc, id desc);
