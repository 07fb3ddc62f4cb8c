// Batchline web console: one module, no dependencies. Pages are rendered from the /v1 API
// with the key the user signs in with; the key lives in this tab's sessionStorage only.
// Text from the API is only ever set as text (never as HTML).

const API = new URL('..', document.baseURI);
const KEY = 'batchline.apiKey';
const ADMIN = 'batchline.adminToken';
const TERMINAL = new Set(['SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'CANCELLED', 'EXPIRED']);
const MAX_LIVE_ROWS = 10;
const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;

const main = document.getElementById('main');
const notice = document.getElementById('notice');
const signOutButton = document.getElementById('sign-out');

/** Aborted when the page changes: ends the event streams and requests of the page left. */
let pageScope = new AbortController();

class ApiError extends Error {
	constructor(status, problem) {
		super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
		this.status = status;
		this.problem = problem;
	}
}

// ---- DOM helpers ----

/** An element: attributes (on* are listeners), then children (strings become text). */
function h(tag, attributes = {}, ...children) {
	const element = document.createElement(tag);
	for (const [name, value] of Object.entries(attributes)) {
		if (value === undefined || value === null || value === false) {
			continue;
		}
		if (name.startsWith('on')) {
			element.addEventListener(name.slice(2), value);
		}
		else if (value === true) {
			element.setAttribute(name, '');
		}
		else {
			element.setAttribute(name, String(value));
		}
	}
	append(element, children);
	return element;
}

function append(parent, children) {
	for (const child of children.flat()) {
		if (child !== undefined && child !== null && child !== false) {
			parent.append(child instanceof Node ? child : String(child));
		}
	}
	return parent;
}

function table(caption, headings, rows, empty) {
	if (rows.length === 0) {
		return h('p', { class: 'empty' }, empty);
	}
	return h('div', { class: 'scroll' }, h('table', {},
		h('caption', {}, caption),
		h('thead', {}, h('tr', {}, headings.map((heading) => h('th', { scope: 'col' }, heading)))),
		h('tbody', {}, rows)));
}

function row(...cells) {
	return h('tr', {}, cells.map((cell) => h('td', {}, cell)));
}

function time(instant) {
	if (!instant) {
		return '—';
	}
	return h('time', { datetime: instant, title: instant }, new Date(instant).toLocaleString());
}

function json(value) {
	return h('code', { class: 'json' }, JSON.stringify(value));
}

function badge(state) {
	return h('span', { class: `badge state-${String(state).toLowerCase()}` }, state);
}

function say(message, kind = 'info') {
	notice.replaceChildren(h('div', { class: `notice ${kind}` }, message));
}

/** Goes to a page; the same page again renders it anew. */
function go(hash) {
	if (location.hash === hash) {
		route();
	}
	else {
		location.hash = hash;
	}
}

function problemBox(error) {
	const problem = error.problem || {};
	return h('div', { class: 'problem', role: 'alert' },
		h('p', {}, h('strong', {}, problem.title || 'Error'), ` (${error.status || 'network'}): `,
			problem.detail || error.message));
}

function section(title, ...children) {
	const id = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
	return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), children);
}

function field(label, control, hint) {
	const id = control.id || `f-${Math.random().toString(36).slice(2)}`;
	control.id = id;
	return h('p', { class: 'field' }, h('label', { for: id }, label), control,
		hint ? h('small', {}, hint) : null);
}

function page(title, ...children) {
	document.title = `${title} · Batchline console`;
	main.replaceChildren(h('h1', {}, title));
	append(main, children);
	main.focus({ preventScroll: true });
}

// ---- the API ----

function apiKey() {
	return sessionStorage.getItem(KEY);
}

function adminToken() {
	return sessionStorage.getItem(ADMIN);
}

/** Calls the API; JSON in and out, problems thrown as ApiError. */
async function call(path, { method = 'GET', token = apiKey(), body, type, signal = pageScope.signal } = {}) {
	const headers = { Accept: 'application/json' };
	if (token) {
		headers.Authorization = `Bearer ${token}`;
	}
	if (type) {
		headers['Content-Type'] = type;
	}
	let response;
	try {
		response = await fetch(new URL(path, API), { method, headers, body, signal, cache: 'no-store' });
	}
	catch (error) {
		if (error.name === 'AbortError') {
			throw error;
		}
		throw new ApiError(0, { title: 'Network error', detail: 'The service did not answer.' });
	}
	if (response.status === 204) {
		return null;
	}
	const text = await response.text();
	let parsed = null;
	try {
		parsed = text ? JSON.parse(text) : null;
	}
	catch {
		parsed = null;
	}
	if (!response.ok) {
		throw new ApiError(response.status, parsed);
	}
	return parsed;
}

/**
 * Follows a job's event stream (server-sent events, read with fetch so that the key goes in
 * the Authorization header, never in the URL). Reconnects with Last-Event-ID after the
 * server's retry time; ends with the job's terminal state, a 204, or the page.
 */
function watchJob(jobId, onEvent, signal = pageScope.signal) {
	let lastId = null;
	let retry = 3000;
	let finished = false;
	const run = async () => {
		while (!signal.aborted && !finished) {
			try {
				const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${apiKey()}` };
				if (lastId) {
					headers['Last-Event-ID'] = lastId;
				}
				const response = await fetch(new URL(`v1/jobs/${encodeURIComponent(jobId)}/events`, API),
					{ headers, signal, cache: 'no-store' });
				if (response.status === 204) {
					return;
				}
				if (!response.ok) {
					if (response.status !== 429 && response.status < 500) {
						return;
					}
				}
				else {
					await readEvents(response.body, (event) => {
						if (event.id) {
							lastId = event.id;
						}
						if (event.retry) {
							retry = event.retry;
						}
						if (event.type === 'state' || event.type === 'progress') {
							const data = JSON.parse(event.data);
							if (event.type === 'state' && TERMINAL.has(data.to)) {
								finished = true;
							}
							Promise.resolve(onEvent(event.type, data)).catch((error) => {
								if (error.name !== 'AbortError') {
									say(problemBox(error), 'error');
								}
							});
						}
					});
				}
			}
			catch (error) {
				if (signal.aborted) {
					return;
				}
			}
			if (!finished) {
				await sleep(retry, signal);
			}
		}
	};
	run();
}

/** Parses an event stream (the WHATWG HTML event stream format) into events. */
async function readEvents(body, dispatch) {
	const reader = body.pipeThrough(new TextDecoderStream()).getReader();
	let buffer = '';
	let event = { type: 'message', data: [], id: null, retry: null };
	for (;;) {
		const { value, done } = await reader.read();
		if (done) {
			return;
		}
		buffer += value;
		const lines = buffer.split(/\r\n|\r|\n/);
		buffer = lines.pop();
		for (const line of lines) {
			if (line === '') {
				if (event.data.length > 0) {
					dispatch({ type: event.type, data: event.data.join('\n'), id: event.id, retry: event.retry });
				}
				event = { type: 'message', data: [], id: event.id, retry: null };
				continue;
			}
			if (line.startsWith(':')) {
				continue;
			}
			const colon = line.indexOf(':');
			const name = colon < 0 ? line : line.slice(0, colon);
			let text = colon < 0 ? '' : line.slice(colon + 1);
			if (text.startsWith(' ')) {
				text = text.slice(1);
			}
			if (name === 'event') {
				event.type = text;
			}
			else if (name === 'data') {
				event.data.push(text);
			}
			else if (name === 'id') {
				event.id = text;
			}
			else if (name === 'retry' && /^\d+$/.test(text)) {
				event.retry = Number(text);
			}
		}
	}
}

function sleep(millis, signal) {
	return new Promise((resolve) => {
		const timer = setTimeout(resolve, millis);
		signal.addEventListener('abort', () => {
			clearTimeout(timer);
			resolve();
		}, { once: true });
	});
}

// ---- sign in and out ----

function signInPage(message) {
	const input = h('input', { type: 'password', name: 'api-key', autocomplete: 'off', required: true,
		spellcheck: 'false', id: 'api-key' });
	const status = h('div');
	const form = h('form', { class: 'card', onsubmit: async (event) => {
		event.preventDefault();
		const key = input.value.trim();
		try {
			await call('v1/models', { token: key });
			sessionStorage.setItem(KEY, key);
			go('#/jobs');
		}
		catch (error) {
			if (error.name !== 'AbortError') {
				status.replaceChildren(problemBox(error));
			}
		}
	} }, field('API key', input, 'Kept in this tab only (sessionStorage) until you sign out or close it.'),
	h('button', { type: 'submit' }, 'Sign in'), status);
	page('Sign in', message ? h('p', { class: 'notice' }, message) : null, form);
	input.focus();
}

function signOut() {
	sessionStorage.removeItem(KEY);
	sessionStorage.removeItem(ADMIN);
	go('#/sign-in');
}

// ---- jobs ----

function progressOf(counts) {
	const done = counts.succeeded + counts.failed + counts.skipped;
	return h('span', { class: 'progress' },
		h('progress', { max: Math.max(counts.total, 1), value: done, 'aria-label': 'Progress' }),
		` ${done} / ${counts.total}`);
}

function jobRow(job) {
	const cells = {
		state: h('td', {}, badge(job.state)),
		progress: h('td', {}, progressOf(job.counts)),
		failed: h('td', {}, String(job.counts.failed)),
	};
	const tr = h('tr', { 'data-job': job.id },
		h('td', {}, h('a', { href: `#/jobs/${job.id}` }, job.id)),
		h('td', {}, `${job.model}:${job.version}`), cells.state, cells.progress, cells.failed,
		h('td', {}, time(job.created_at)));
	return { tr, cells };
}

async function jobsPage(cursor) {
	page('Jobs', h('p', {}, 'Loading…'));
	const [models, jobs] = await Promise.all([call('v1/models'),
		call(`v1/jobs?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)]);
	const rows = [];
	let live = 0;
	for (const job of jobs.data) {
		const { tr, cells } = jobRow(job);
		rows.push(tr);
		if (!TERMINAL.has(job.state) && live < MAX_LIVE_ROWS) {
			live++;
			watchJob(job.id, (type, data) => {
				if (type === 'progress') {
					cells.progress.replaceChildren(progressOf(data.counts));
					cells.failed.textContent = String(data.counts.failed);
				}
				else {
					cells.state.replaceChildren(badge(data.to));
				}
			});
		}
	}
	page('Jobs', submitForm(models.data),
		section('Recent jobs',
			table('Jobs, newest first; unfinished ones update live', ['Job', 'Model', 'State', 'Progress', 'Failed',
				'Created'], rows, 'No jobs yet: submit a file above.'),
			h('p', { class: 'actions' },
				h('button', { type: 'button', onclick: () => render(() => jobsPage()) }, 'Refresh'),
				jobs.next_cursor ? h('button', { type: 'button', onclick: () => render(() => jobsPage(jobs.next_cursor)) },
					'Older jobs') : null)));
}

function submitForm(models) {
	const model = h('select', { name: 'model', required: true, id: 'submit-model' },
		models.map((m) => h('option', { value: m.name }, m.name)));
	const version = h('input', { type: 'text', name: 'version', maxlength: 100, id: 'submit-version',
		list: 'submit-versions' });
	const versions = h('datalist', { id: 'submit-versions' });
	const fillVersions = () => {
		const chosen = models.find((m) => m.name === model.value);
		versions.replaceChildren(...(chosen ? [...chosen.versions, ...Object.keys(chosen.labels || {})] : [])
			.map((v) => h('option', { value: v })));
	};
	model.addEventListener('change', fillVersions);
	fillVersions();
	const file = h('input', { type: 'file', name: 'file', required: true, id: 'submit-file',
		accept: '.ndjson,.jsonl,.json,.txt,application/x-ndjson' });
	const result = h('div', { 'aria-live': 'polite' });
	const button = h('button', { type: 'submit' }, 'Submit');
	const form = h('form', { class: 'card', onsubmit: async (event) => {
		event.preventDefault();
		const chosen = file.files[0];
		if (!chosen) {
			return;
		}
		if (chosen.size > MAX_UPLOAD_BYTES) {
			result.replaceChildren(h('p', { role: 'alert' }, 'The file is larger than 1 GiB: split it.'));
			return;
		}
		const query = new URLSearchParams({ model: model.value });
		if (version.value.trim()) {
			query.set('version', version.value.trim());
		}
		button.disabled = true;
		result.replaceChildren(h('p', {}, `Uploading ${chosen.name}…`));
		try {
			const job = await call(`v1/jobs?${query}`, { method: 'POST', type: 'application/x-ndjson', body: chosen });
			say(h('span', {}, 'Job ', h('a', { href: `#/jobs/${job.id}` }, job.id), ` submitted: ${job.counts.total} items.`));
			await render(() => jobsPage());
		}
		catch (error) {
			if (error.name !== 'AbortError') {
				result.replaceChildren(problemBox(error));
				button.disabled = false;
			}
		}
	} }, field('Model', model), field('Version or label (optional)', version, 'Empty: the model\'s split or newest version.'),
	versions, field('NDJSON file', file, 'One item per line, e.g. [5.1, 3.5, 1.4, 0.2].'), button, result);
	if (models.length === 0) {
		return section('Submit a file', h('p', { class: 'empty' }, 'No worker serves a model at the moment.'));
	}
	return section('Submit a file', form);
}

async function jobPage(id) {
	page(`Job ${id}`, h('p', {}, 'Loading…'));
	const job = await call(`v1/jobs/${encodeURIComponent(id)}`);
	const summary = h('dl', { class: 'facts' });
	const counts = h('div');
	const history = h('div');
	const results = h('div');
	const errors = h('div');
	const deliveries = h('div');
	const actions = h('p', { class: 'actions' });
	const show = (current) => {
		summary.replaceChildren(...[
			['State', badge(current.state)], ['Model', `${current.model}:${current.version}`],
			['Created', time(current.created_at)], ['Started', time(current.started_at)],
			['Finished', time(current.finished_at)], ['Expires', time(current.expires_at)],
			['Results kept until', time(current.results_expire_at)],
			['Metadata', current.metadata ? json(current.metadata) : '—'],
		].flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
		showCounts(current.counts);
		history.replaceChildren(table('State history', ['From', 'To', 'Reason', 'At'],
			current.history.map((change) => row(change.from ? badge(change.from) : '—', badge(change.to),
				change.reason, time(change.at))), 'No state changes.'));
		actions.replaceChildren(TERMINAL.has(current.state) || current.state === 'CANCELLING' ? ''
			: h('button', { type: 'button', class: 'danger', onclick: async () => {
				try {
					show(await call(`v1/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' }));
					say('Cancelling the job.');
				}
				catch (error) {
					if (error.name !== 'AbortError') {
						say(problemBox(error), 'error');
					}
				}
			} }, 'Cancel job'));
	};
	const showCounts = (c) => counts.replaceChildren(progressOf(c),
		table('Counts', ['Total', 'Succeeded', 'Failed', 'Skipped', 'Pending'],
			[row(c.total, c.succeeded, c.failed, c.skipped, c.pending)], ''));
	const loadItems = async () => {
		results.replaceChildren(await itemsTable(id, 'results', 'First results'));
		errors.replaceChildren(await itemsTable(id, 'errors', 'First failed items'));
		const log = await call(`v1/webhook-deliveries?job_id=${encodeURIComponent(id)}&limit=20`);
		deliveries.replaceChildren(deliveriesTable(log.data, () => render(() => jobPage(id))));
	};
	show(job);
	page(`Job ${id}`, h('p', {}, h('a', { href: '#/jobs' }, '← All jobs')), summary, actions,
		section('Progress', counts), section('State history', history), section('Results', results),
		section('Errors', errors), section('Webhook deliveries', deliveries));
	await loadItems();
	if (!TERMINAL.has(job.state)) {
		watchJob(id, async (type, data) => {
			if (type === 'progress') {
				showCounts(data.counts);
			}
			else {
				show(await call(`v1/jobs/${encodeURIComponent(id)}`));
				await loadItems();
			}
		});
	}
}

async function itemsTable(id, kind, caption) {
	try {
		const items = await call(`v1/jobs/${encodeURIComponent(id)}/${kind}?limit=20`);
		return table(caption, ['Item', 'Output', 'Error'], items.data.map((item) => row(String(item.index),
			item.output !== undefined ? json(item.output) : '—',
			item.error ? `${item.error.code}: ${item.error.message}` : '—')),
		kind === 'errors' ? 'No failed items.' : 'No results yet.');
	}
	catch (error) {
		if (error.name === 'AbortError') {
			throw error;
		}
		return problemBox(error);
	}
}

// ---- webhooks ----

function deliveriesTable(deliveries, reload) {
	return table('Deliveries, newest first', ['Delivery', 'Event', 'Job', 'Status', 'Attempts', 'Last answer',
		'Created', 'Replay'], deliveries.map((d) => row(
		h('a', { href: `#/deliveries/${d.id}` }, d.id.slice(0, 8)), d.event_type,
		d.job_id ? h('a', { href: `#/jobs/${d.job_id}` }, d.job_id.slice(0, 8)) : '—',
		badge(d.status), String(d.attempts),
		d.last_status_code ? `HTTP ${d.last_status_code}` : (d.last_error || '—'), time(d.created_at),
		replayButton(d, reload))), 'No deliveries.');
}

function replayButton(delivery, reload) {
	return h('button', { type: 'button', disabled: delivery.status === 'PENDING',
		'aria-label': `Replay delivery ${delivery.id}`, onclick: async (event) => {
			event.target.disabled = true;
			try {
				await call(`v1/webhook-deliveries/${encodeURIComponent(delivery.id)}/replay`, { method: 'POST' });
				say(`Replay of delivery ${delivery.id} asked for: the dispatcher sends it again moments later.`);
				await reload();
			}
			catch (error) {
				if (error.name !== 'AbortError') {
					say(problemBox(error), 'error');
					event.target.disabled = false;
				}
			}
		} }, 'Replay');
}

async function webhooksPage() {
	page('Webhooks', h('p', {}, 'Loading…'));
	const [endpoints, deliveries, types] = await Promise.all([call('v1/webhook-endpoints'),
		call('v1/webhook-deliveries?limit=50'), call('v1/webhook-event-types')]);
	const endpointRows = endpoints.data.map((e) => row(h('span', { class: 'url' }, e.url),
		e.event_types.join(', '), e.enabled ? 'yes' : `no${e.disabled_reason ? ` (${e.disabled_reason})` : ''}`,
		e.description || '—', e.signature_scheme, time(e.created_at),
		h('span', { class: 'actions' },
			h('button', { type: 'button', onclick: () => patchEndpoint(e.id, { enabled: !e.enabled }) },
				e.enabled ? 'Disable' : 'Enable'),
			h('button', { type: 'button', class: 'danger', 'aria-label': `Delete endpoint ${e.url}`,
				onclick: () => deleteEndpoint(e) }, 'Delete'))));
	page('Webhooks', endpointForm(types.data),
		section('Endpoints', table('Webhook endpoints', ['URL', 'Events', 'Enabled', 'Description', 'Signature',
			'Created', 'Actions'], endpointRows, 'No endpoints yet.')),
		section('Deliveries', deliveriesTable(deliveries.data, () => render(webhooksPage)),
			h('p', { class: 'actions' }, h('button', { type: 'button', onclick: () => render(webhooksPage) },
				'Refresh'))));
}

async function patchEndpoint(id, change) {
	try {
		await call(`v1/webhook-endpoints/${encodeURIComponent(id)}`, { method: 'PATCH',
			type: 'application/json', body: JSON.stringify(change) });
		await render(webhooksPage);
	}
	catch (error) {
		if (error.name !== 'AbortError') {
			say(problemBox(error), 'error');
		}
	}
}

async function deleteEndpoint(endpoint) {
	if (!window.confirm(`Delete the endpoint ${endpoint.url}? Its deliveries stay readable.`)) {
		return;
	}
	try {
		await call(`v1/webhook-endpoints/${encodeURIComponent(endpoint.id)}`, { method: 'DELETE' });
		say(`Endpoint ${endpoint.url} deleted.`);
		await render(webhooksPage);
	}
	catch (error) {
		if (error.name !== 'AbortError') {
			say(problemBox(error), 'error');
		}
	}
}

function endpointForm(types) {
	const url = h('input', { type: 'url', name: 'url', required: true, maxlength: 2048, id: 'endpoint-url',
		placeholder: 'https://hooks.example.com/batchline' });
	const description = h('input', { type: 'text', name: 'description', maxlength: 1000,
		id: 'endpoint-description' });
	const boxes = types.map((type) => h('label', { class: 'check' },
		h('input', { type: 'checkbox', name: 'event_types', value: type.name, checked: !type.opt_in }), ` ${type.name}`));
	const result = h('div', { 'aria-live': 'polite' });
	const form = h('form', { class: 'card', onsubmit: async (event) => {
		event.preventDefault();
		const eventTypes = boxes.map((box) => box.querySelector('input')).filter((box) => box.checked)
			.map((box) => box.value);
		const request = { url: url.value.trim(), event_types: eventTypes };
		if (description.value.trim()) {
			request.description = description.value.trim();
		}
		try {
			const created = await call('v1/webhook-endpoints', { method: 'POST', type: 'application/json',
				body: JSON.stringify(request) });
			await render(webhooksPage);
			say(h('span', {}, `Endpoint ${created.url} added. Its signing secret, shown once here: `,
				h('code', { class: 'secret' }, created.secret || created.public_key || '')));
		}
		catch (error) {
			if (error.name !== 'AbortError') {
				result.replaceChildren(problemBox(error));
			}
		}
	} }, field('URL', url), h('fieldset', {}, h('legend', {}, 'Event types'), boxes),
	field('Description (optional)', description), h('button', { type: 'submit' }, 'Add endpoint'), result);
	return section('Add an endpoint', form);
}

async function deliveryPage(id) {
	const delivery = await call(`v1/webhook-deliveries/${encodeURIComponent(id)}`);
	const facts = [['Status', badge(delivery.status)], ['Event', `${delivery.event_type} (msg_${delivery.event_id})`],
		['Job', delivery.job_id ? h('a', { href: `#/jobs/${delivery.job_id}` }, delivery.job_id) : '—'],
		['URL', delivery.url], ['Attempts', String(delivery.attempts)], ['Next attempt', time(delivery.next_attempt_at)],
		['Delivered', time(delivery.delivered_at)], ['Created', time(delivery.created_at)]];
	page(`Delivery ${id}`, h('p', {}, h('a', { href: '#/webhooks' }, '← Webhooks')),
		h('dl', { class: 'facts' }, facts.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])),
		h('p', { class: 'actions' }, replayButton(delivery, () => render(() => deliveryPage(id)))),
		section('Attempts', table('Every attempt, oldest first', ['At', 'Answer', 'Latency', 'Error', 'Response'],
			(delivery.attempt_log || []).map((a) => row(time(a.attempted_at), a.status_code ? `HTTP ${a.status_code}` : '—',
				`${a.latency_ms} ms`, a.error || '—', a.response_excerpt || '—')), 'No attempt yet.')));
}

// ---- models ----

async function modelsPage() {
	const models = await call('v1/models');
	page('Models', h('p', {}, 'The models the running workers serve.'),
		table('Served models', ['Model', 'Default version', 'Versions', 'Labels', 'Split'], models.data.map((m) => row(
			h('a', { href: `#/models/${encodeURIComponent(m.name)}` }, m.name), m.default_version,
			m.versions.join(', '), Object.entries(m.labels || {}).map(([l, v]) => `${l} → ${v}`).join(', ') || '—',
			(m.split || []).map((s) => `${s.label || s.version} ${s.weight}${s.served ? '' : ' (not served)'}`)
				.join(', ') || '—')), 'No worker serves a model at the moment.'));
}

function tensors(specs) {
	return (specs || []).map((t) => `${t.name} ${t.dtype} [${t.shape.join(', ')}]`).join('; ') || '—';
}

async function modelPage(name) {
	const model = await call(`v1/models/${encodeURIComponent(name)}`);
	page(`Model ${model.name}`, h('p', {}, h('a', { href: '#/models' }, '← Models')),
		table('Served versions', ['Version', 'Inputs', 'Outputs', 'Max batch', 'Workers', 'Labels', 'Deployed',
			'Fingerprint'], model.versions.map((v) => row(v.version, tensors(v.signature.inputs),
			tensors(v.signature.outputs), String(v.max_batch_size), String(v.workers), (v.labels || []).join(', ') || '—',
			time(v.deployed_at), h('code', {}, v.fingerprint || '—'))), 'No version is served.'));
}

// ---- admin ----

function adminSignIn() {
	const input = h('input', { type: 'password', name: 'admin-token', autocomplete: 'off', required: true,
		id: 'admin-token' });
	const status = h('div');
	page('Admin', h('form', { class: 'card', onsubmit: async (event) => {
		event.preventDefault();
		try {
			await call('v1/admin/tenants?limit=1', { token: input.value.trim() });
			sessionStorage.setItem(ADMIN, input.value.trim());
			signOutButton.hidden = false;
			await render(adminPage);
		}
		catch (error) {
			if (error.name !== 'AbortError') {
				status.replaceChildren(problemBox(error));
			}
		}
	} }, field('Admin token', input, 'The api-service\'s BATCHLINE_API_ADMIN_TOKEN; kept in this tab only.'),
	h('button', { type: 'submit' }, 'Sign in as admin'), status));
	input.focus();
}

async function adminPage(cursor) {
	if (!adminToken()) {
		adminSignIn();
		return;
	}
	const token = adminToken();
	const [tenants, workers, lag] = await Promise.all([
		call(`v1/admin/tenants?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token }),
		call('v1/admin/workers', { token }), call('v1/admin/consumer-lag', { token })]);
	const name = h('input', { type: 'text', name: 'tenant-name', maxlength: 200, required: true, id: 'tenant-name' });
	const created = h('div', { 'aria-live': 'polite' });
	const form = h('form', { class: 'card inline', onsubmit: async (event) => {
		event.preventDefault();
		try {
			const tenant = await call('v1/admin/tenants', { method: 'POST', token, type: 'application/json',
				body: JSON.stringify({ name: name.value.trim() }) });
			await render(adminPage);
			say(h('span', {}, `Tenant ${tenant.name} created. Its API key, shown once here: `,
				h('code', { class: 'secret' }, tenant.api_key)));
		}
		catch (error) {
			if (error.name !== 'AbortError') {
				created.replaceChildren(problemBox(error));
			}
		}
	} }, field('New tenant\'s name', name), h('button', { type: 'submit' }, 'Create tenant'), created);
	page('Admin',
		section('Workers', table('Workers, as they announce themselves', ['Worker', 'Models', 'Endpoint', 'Last heartbeat'],
			workers.data.map((w) => row(w.worker_id, w.models.map((m) => `${m.name}:${m.version}`).join(', '),
				w.endpoint || '—', time(w.last_seen_at))), 'No worker is running.')),
		section('Consumer lag', table('Records each consumer group has yet to consume', ['Group', 'Topic', 'Lag'],
			lag.data.map((l) => row(l.group, l.topic, l.lag === null || l.lag === undefined ? 'unknown (Kafka away)'
				: String(l.lag))), '')),
		section('Tenants', form, table('Tenants, newest first', ['Name', 'Tenant', 'API keys', 'Created'],
			tenants.data.map((t) => row(t.name, h('code', {}, t.id), String(t.api_keys), time(t.created_at))),
			'No tenants.'),
		h('p', { class: 'actions' }, h('button', { type: 'button', onclick: () => render(adminPage) }, 'Refresh'),
			tenants.next_cursor ? h('button', { type: 'button', onclick: () => render(() => adminPage(tenants.next_cursor)) },
				'More tenants') : null)));
}

// ---- routing ----

const ROUTES = [
	[/^#\/jobs\/([0-9a-fA-F-]{36})$/, (id) => jobPage(id)],
	[/^#\/jobs$/, () => jobsPage()],
	[/^#\/webhooks$/, () => webhooksPage()],
	[/^#\/deliveries\/([0-9a-fA-F-]{36})$/, (id) => deliveryPage(id)],
	[/^#\/models\/([^/]+)$/, (name) => modelPage(decodeURIComponent(name))],
	[/^#\/models$/, () => modelsPage()],
];

/** Renders the page for the location's hash. */
function route() {
	const hash = location.hash || '#/jobs';
	signOutButton.hidden = !apiKey() && !adminToken();
	// no page of the menu is current while the sign-in form stands in for it
	const shown = (apiKey() || hash === '#/admin') ? hash : '#/sign-in';
	for (const link of document.querySelectorAll('[data-nav]')) {
		const current = shown.startsWith(`#/${link.dataset.nav}`)
			|| (link.dataset.nav === 'webhooks' && shown.startsWith('#/deliveries'));
		if (current) {
			link.setAttribute('aria-current', 'page');
		}
		else {
			link.removeAttribute('aria-current');
		}
	}
	if (hash === '#/admin') {
		return render(() => adminPage(), ADMIN);
	}
	if (!apiKey()) {
		const message = (hash === '#/sign-in' || !location.hash) ? null : 'Sign in with an API key to see this page.';
		return render(() => signInPage(message));
	}
	if (hash === '#/sign-in') {
		return go('#/jobs');
	}
	const match = ROUTES.map(([pattern, view]) => [pattern.exec(hash), view]).find(([found]) => found);
	if (!match) {
		return render(() => page('Not found', h('p', {}, 'No such page. ', h('a', { href: '#/jobs' }, 'Go to the jobs.'))));
	}
	return render(() => match[1](...match[0].slice(1)));
}

/**
 * Renders a page: what the page left had running (event streams, requests) ends first. A
 * key or token refused on the way signs it out.
 */
async function render(view, credential = KEY) {
	pageScope.abort();
	pageScope = new AbortController();
	const scope = pageScope;
	main.setAttribute('aria-busy', 'true');
	try {
		await view();
	}
	catch (error) {
		if (error.name === 'AbortError') {
			return;
		}
		if (error.status === 401) {
			sessionStorage.removeItem(credential);
			say(credential === ADMIN ? 'The admin token is not valid: sign in again.'
				: 'The API key is no longer valid: sign in again.', 'error');
			route();
			return;
		}
		page('Something went wrong', problemBox(error));
	}
	finally {
		if (scope === pageScope) {
			main.removeAttribute('aria-busy');
		}
	}
}

signOutButton.addEventListener('click', signOut);
window.addEventListener('hashchange', () => {
	// a notice belongs to the page it was given on
	notice.replaceChildren();
	route();
});
route();
