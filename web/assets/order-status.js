/** The status page at /orders/{id}: polls the order until it settles, then shows why it ended where it did. */
import { callApi, problemDetail } from './api.js';
import { byId, h } from './dom.js';
import { initLanguage, language, t } from './i18n.js';
import { formatUsd } from './money.js';
import { SHAPE_DIMENSIONS } from './order-body.js';

const POLL_MS = 1000;
const MAX_BACKOFF_MS = 10_000;
/** Final statuses, plus ALLOCATED and HELD, which wait on people (factories, a reviewer) rather than on the workflow. */
const SETTLED = new Set(['REJECTED', 'UNFILLED', 'CONFIRMED', 'CANCELLED', 'ALLOCATED', 'HELD']);
const CHECK_ORDER = ['trademark', 'grade', 'price', 'compliance'];

const orderId = decodeURIComponent(window.location.pathname.split('/').filter(Boolean)[1] ?? '');

const view = {
  heading: byId('order-heading'),
  submittedAt: byId('submitted-at'),
  badge: byId('status-badge'),
  explanation: byId('status-explanation'),
  refreshNote: byId('refresh-note'),
  refresh: byId('refresh'),
  details: byId('order-details'),
  checks: byId('checks'),
  allocations: byId('allocations'),
  history: byId('history'),
  summary: byId('order-summary'),
  lines: byId('order-lines'),
};

const state = { order: null, notFound: false, error: '', failures: 0, loading: false, timer: 0, updatedAt: null };

/** Only changes text that differs, so the live region announces a status once, not on every poll. */
function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function formatTime(instant) {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return String(instant ?? '');
  return date.toLocaleString(language() === 'en' ? 'en-GB' : 'zh-CN', { dateStyle: 'medium', timeStyle: 'medium' });
}

function isSettled() {
  return state.notFound || (state.order !== null && SETTLED.has(state.order.status));
}

async function load({ manual = false } = {}) {
  if (state.loading) return;
  state.loading = true;
  clearTimeout(state.timer);
  if (manual) {
    view.refresh.disabled = true;
    view.refresh.textContent = t('status.refreshing');
  }
  try {
    const { status, body } = await callApi('GET', `/orders/${encodeURIComponent(orderId)}`);
    if (status === 200 && body && typeof body.status === 'string') {
      state.order = body;
      state.notFound = false;
      state.error = '';
      state.failures = 0;
    } else if (status === 404) {
      state.notFound = true;
    } else {
      state.error = problemDetail(body, `HTTP ${status}`);
      state.failures += 1;
    }
  } catch {
    state.error = t('quote.offline');
    state.failures += 1;
  }
  state.updatedAt = new Date();
  state.loading = false;
  view.refresh.disabled = false;
  view.refresh.textContent = t('status.refresh');
  render();
  if (!isSettled()) {
    const delay = state.failures === 0 ? POLL_MS : Math.min(POLL_MS * 2 ** state.failures, MAX_BACKOFF_MS);
    state.timer = setTimeout(load, delay);
  }
}

function render() {
  // These start with a loading text; once the order is known, their text is set here, not by the dictionary.
  view.heading.removeAttribute('data-i18n');
  view.badge.removeAttribute('data-i18n');
  document.body.dataset.polling = String(!isSettled());
  if (state.notFound) return renderNotFound();
  const order = state.order;
  if (!order) {
    if (state.error) setText(view.explanation, t('status.loadFailed', { detail: state.error }));
    return;
  }
  document.body.dataset.status = order.status;
  setText(view.heading, t('status.heading', { id: order.orderId }));
  document.title = `${t('status.heading', { id: order.orderId })} · ${order.status}`;
  setText(view.submittedAt, t('status.submitted', { time: formatTime(order.submittedAt) }));
  setText(view.badge, `${t('status.label')}: ${order.status}`);
  view.badge.className = `status-badge status-${order.status.toLowerCase()}`;
  const known = t(`status.${order.status}`);
  const explanation = known === `status.${order.status}` ? t('status.unknown', { status: order.status }) : known;
  setText(view.explanation, state.error ? t('status.loadFailed', { detail: state.error }) : explanation);
  setText(
    view.refreshNote,
    isSettled() ? t('status.stopped', { time: formatTime(state.updatedAt) }) : t('status.polling'),
  );
  view.details.hidden = false;
  renderChecks(order.checks ?? []);
  renderAllocations(order.allocations ?? [], order.order?.lines ?? []);
  renderHistory(order.history ?? []);
  renderSummary(order.order);
}

function renderNotFound() {
  delete document.body.dataset.status;
  document.body.dataset.notFound = 'true';
  setText(view.heading, t('status.notFoundTitle'));
  document.title = t('status.notFoundTitle');
  setText(view.badge, t('status.notFoundTitle'));
  view.badge.className = 'status-badge status-notfound';
  setText(view.explanation, t('status.notFound', { id: orderId }));
  setText(view.submittedAt, '');
  setText(view.refreshNote, '');
  view.refresh.hidden = true;
  view.details.hidden = true;
}

function checkRank(check) {
  const rank = CHECK_ORDER.indexOf(check.check);
  return rank === -1 ? CHECK_ORDER.length : rank;
}

/** Each check as a sentence a buyer can act on: name, outcome in words (not colour alone), code and the reason. */
function renderChecks(checks) {
  if (checks.length === 0) {
    view.checks.replaceChildren(h('li', { class: 'muted' }, t('status.checksNone')));
    return;
  }
  const sorted = [...checks].sort((a, b) => checkRank(a) - checkRank(b));
  view.checks.replaceChildren(
    ...sorted.map((check) =>
      h(
        'li',
        { class: `check outcome-${String(check.outcome)}`, 'data-check': check.check, 'data-code': check.code },
        h(
          'p',
          { class: 'check-head' },
          h('strong', {}, t(`check.${check.check}`)),
          ' — ',
          h('span', { class: 'outcome' }, t(`outcome.${check.outcome}`)),
          ' ',
          h('code', {}, String(check.code ?? '')),
        ),
        h('p', { class: 'check-message' }, String(check.message ?? '')),
      ),
    ),
  );
}

/** Only the buyer-facing allocation fields are read: factory, quantity and status. No price is ever shown here. */
function renderAllocations(allocations, orderLines) {
  if (allocations.length === 0) {
    view.allocations.replaceChildren(h('p', { class: 'muted' }, t('status.allocationsNone')));
    return;
  }
  const rows = [...allocations]
    .sort((a, b) => a.lineIndex - b.lineIndex || String(a.factoryName).localeCompare(String(b.factoryName)))
    .map(({ lineIndex, factoryName, quantityKg, status }) =>
      h(
        'tr',
        {},
        h('td', {}, `${Number(lineIndex) + 1} · ${orderLines[lineIndex]?.grade ?? ''}`),
        h('td', {}, String(factoryName ?? '')),
        h('td', { class: 'number' }, Number(quantityKg).toLocaleString('en-US')),
        h('td', {}, String(status ?? '')),
      ),
    );
  view.allocations.replaceChildren(
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('alloc.line')),
          h('th', { scope: 'col' }, t('alloc.factory')),
          h('th', { scope: 'col', class: 'number' }, t('alloc.quantity')),
          h('th', { scope: 'col' }, t('alloc.status')),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
  );
}

function renderHistory(history) {
  view.history.replaceChildren(
    ...history.map((entry) =>
      h(
        'li',
        {},
        h('time', { datetime: String(entry.at ?? '') }, formatTime(entry.at)),
        ' ',
        h('strong', {}, String(entry.status ?? '')),
      ),
    ),
  );
}

function describeShape(shape) {
  if (!shape) return '';
  const dims = (SHAPE_DIMENSIONS[shape.type] ?? []).map((name) => shape[name]).join(' × ');
  return `${t(`shape.${shape.type}`)} ${dims}`;
}

function renderSummary(order) {
  if (!order) return;
  const entries = [
    [
      'summary.buyer',
      `${order.buyer?.company ?? ''} (${order.buyer?.country ?? ''}), ${order.buyer?.contactName ?? ''}`,
    ],
    ['summary.destination', order.destinationCountry],
    ['summary.trademark', order.trademark],
    ['summary.terms', `${order.incoterm}, ${order.requestedShipDate}`],
    ['summary.endUse', order.endUse?.description],
  ];
  view.summary.replaceChildren(
    ...entries.flatMap(([key, value]) => [h('dt', {}, t(key)), h('dd', {}, String(value ?? ''))]),
  );
  view.lines.replaceChildren(
    ...(order.lines ?? []).map((line, index) =>
      h(
        'li',
        {},
        t('summary.line', {
          n: index + 1,
          grade: line.grade,
          coating: line.coating,
          shape: describeShape(line.shape),
          kg: Number(line.quantityKg).toLocaleString('en-US'),
          price: formatUsd(line.offeredUnitPriceUsdPerKg),
        }),
      ),
    ),
  );
}

initLanguage(render);
view.refresh.addEventListener('click', () => load({ manual: true }));
if (orderId) load();
else {
  state.notFound = true;
  render();
}
