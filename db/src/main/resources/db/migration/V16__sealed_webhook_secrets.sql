-- Webhook secrets and private keys are stored sealed (AES-256-GCM, "enc:<key id>:<base64>") by the
-- api-service, which seals rows still in clear as it starts. A v1a endpoint's private keys are
-- either sealed or, until then, in clear whsk_ form.
alter table webhook_endpoints drop constraint webhook_endpoints_keys_of_scheme;

alter table webhook_endpoints add constraint webhook_endpoints_keys_of_scheme check (
    case signature_scheme
        when 'v1' then secret is not null and signing_key is null and public_key is null
        else secret is null and signing_key is not null and public_key is not null
            and (signing_key like 'whsk\_%' or signing_key like 'enc:%') and public_key like 'whpk\_%'
            and coalesce(previous_signing_key like 'whsk\_%' or previous_signing_key like 'enc:%', true)
    end);
