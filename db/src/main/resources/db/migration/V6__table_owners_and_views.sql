-- Every table has one owning service, the only one that writes it (docs/architecture.md).
-- The api-service owns tenants, api_keys, jobs, job_state_history, input_chunks, chunk_results,
-- outbox, idempotency_keys and webhook_endpoints; the webhook dispatcher owns webhook_deliveries
-- and webhook_attempts. A service reads the other's data only through the read-only views below,
-- or learns it from events (a job's callback URL travels on its terminal job event).

-- Writing through one of these views fails: its table has an owner.
create function refuse_write_through_view() returns trigger language plpgsql as $$
begin
    raise exception '% is read-only: % owns the table behind it', tg_table_name, tg_argv[0];
end
$$;

-- api-service -> dispatcher: where an endpoint's deliveries go, which events it wants, and the
-- secrets that sign them. Deleted endpoints are not in it. version changes with every change of
-- the endpoint (see WebhookEndpointDisabled).
create view webhook_destinations as
select id as endpoint_id, tenant_id, url, event_types, enabled, version, secret, previous_secret,
       previous_secret_expires_at
from webhook_endpoints
where deleted_at is null;

comment on view webhook_destinations is
    'Read-only view of webhook_endpoints (owned by the api-service) for the webhook dispatcher';

create trigger webhook_destinations_read_only instead of insert or update or delete on webhook_destinations
    for each row execute function refuse_write_through_view('the api-service');

-- api-service -> dispatcher: the secrets that sign a tenant's job callbacks.
create view webhook_callback_secrets as
select id as tenant_id, webhook_secret as secret, previous_webhook_secret as previous_secret,
       previous_webhook_secret_expires_at as previous_secret_expires_at
from tenants;

comment on view webhook_callback_secrets is
    'Read-only view of the tenants'' callback secrets (owned by the api-service) for the webhook dispatcher';

create trigger webhook_callback_secrets_read_only instead of insert or update or delete on webhook_callback_secrets
    for each row execute function refuse_write_through_view('the api-service');

-- dispatcher -> api-service: the delivery log, without the payload and the sender's claim.
create view webhook_delivery_log as
select id, event_id, event_type, tenant_id, job_id, endpoint_id, url, status, attempts, next_attempt_at,
       last_attempt_at, last_status_code, last_error, delivered_at, created_at
from webhook_deliveries;

comment on view webhook_delivery_log is
    'Read-only view of webhook_deliveries (owned by the webhook dispatcher) for the api-service';

create trigger webhook_delivery_log_read_only instead of insert or update or delete on webhook_delivery_log
    for each row execute function refuse_write_through_view('the webhook dispatcher');

create view webhook_attempt_log as
select id, delivery_id, attempted_at, status_code, latency_ms, error, response_excerpt
from webhook_attempts;

comment on view webhook_attempt_log is
    'Read-only view of webhook_attempts (owned by the webhook dispatcher) for the api-service';

create trigger webhook_attempt_log_read_only instead of insert or update or delete on webhook_attempt_log
    for each row execute function refuse_write_through_view('the webhook dispatcher');

-- The replay that last put a delivery back in the queue: a replay consumed twice is performed once.
alter table webhook_deliveries add column replay_id uuid;
