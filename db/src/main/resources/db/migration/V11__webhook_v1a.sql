-- Standard Webhooks v1a: an endpoint signs with Ed25519 instead of HMAC-SHA256 (v1) when the tenant
-- chooses so at registration. The api-service keeps the private key (whsk_) and shows the tenant the
-- public key (whpk_) only. A rotation keeps the previous key pair signing next to the new one until
-- previous_key_expires_at, as previous_secret does for v1.
alter table webhook_endpoints
    add column signature_scheme text not null default 'v1' check (signature_scheme in ('v1', 'v1a')),
    add column signing_key text,
    add column public_key text,
    add column previous_signing_key text,
    add column previous_public_key text,
    add column previous_key_expires_at timestamptz;

-- A v1a endpoint has no whsec_ secret: nothing the tenant holds can sign its messages.
alter table webhook_endpoints alter column secret drop not null;

alter table webhook_endpoints add constraint webhook_endpoints_keys_of_scheme check (
    case signature_scheme
        when 'v1' then secret is not null and signing_key is null and public_key is null
        else secret is null and signing_key is not null and public_key is not null
            and signing_key like 'whsk\_%' and public_key like 'whpk\_%'
            and coalesce(previous_signing_key like 'whsk\_%', true)
    end);

-- The dispatcher signs with the scheme's keys. Replaced in place (new columns at the end), so the
-- read-only trigger, the comment and any grant on the view stay as V6 made them; the public keys
-- are not in it, the dispatcher does not need them.
create or replace view webhook_destinations as
select id as endpoint_id, tenant_id, url, event_types, enabled, version, secret, previous_secret,
       previous_secret_expires_at, signature_scheme, signing_key, previous_signing_key, previous_key_expires_at
from webhook_endpoints
where deleted_at is null;
