/** The order form at /: catalogue pickers, a live unified quote, one order per submission, server errors by field. */
import { callApi, problemDetail, problemErrors } from './api.js';
import { byId, h } from './dom.js';
import { initLanguage, t } from './i18n.js';
import { formatUsd, isBelow } from './money.js';
import { buildOrder, MAX_LINES, PRICE_PATTERN, quoteLine, quoteTerms, SHAPE_DIMENSIONS } from './order-body.js';

const QUOTE_DEBOUNCE_MS = 300;

const form = byId('order-form');
const submitButton = byId('submit-order');
const submitStatus = byId('submit-status');
const errorSummary = byId('error-summary');
const linesContainer = byId('lines');
const addLineButton = byId('add-line');
const linesStatus = byId('lines-status');
const licenceGroup = byId('licence-group');
const quoteTotal = byId('quote-total');
const quoteBelow = byId('quote-below');
const trademarkAdvice = byId('trademark-advice');

const fields = {
  company: byId('buyer-company'),
  buyerCountry: byId('buyer-country'),
  contactName: byId('buyer-contact'),
  email: byId('buyer-email'),
  destination: byId('destination'),
  incoterm: byId('incoterm'),
  shipDate: byId('ship-date'),
  trademark: byId('trademark'),
  endUse: byId('end-use'),
  military: byId('military'),
  licenceNumber: byId('licence-number'),
  licenceValidUntil: byId('licence-valid-until'),
};

/** @type {null | {grades: any[], coatings: any[], shapes: string[], trademarks: any[], incoterms: string[], versions: any}} */
let catalogue = null;
/** Line controllers in display order; `uid` is stable, the index (and so the JSON pointer) is not. */
let lines = [];
let nextUid = 1;

const quoteState = { timer: 0, seq: 0, controller: null, requestText: '', result: null };

/**
 * One Idempotency-Key per form state: a double click or a retry of the same body reuses it, so the server answers
 * with the same order; any edit makes a new body and therefore a new key, and so does a 4xx refusal.
 */
const submission = { bodyText: '', key: '', inFlight: false };

// ── catalogue ───────────────────────────────────────────────────────────────

function gradeByName(name) {
  return catalogue?.grades.find((grade) => grade.grade === name);
}

function coatingByCode(code) {
  return catalogue?.coatings.find((coating) => coating.code === code);
}

function fillGradeOptions(select) {
  const value = select.value;
  const families = [];
  for (const grade of catalogue.grades) if (!families.includes(grade.family)) families.push(grade.family);
  select.replaceChildren(
    h('option', { value: '' }, t('line.gradeChoose')),
    ...families.map((family) =>
      h(
        'optgroup',
        { label: t('line.family', { family }) },
        ...catalogue.grades
          .filter((grade) => grade.family === family)
          .map((grade) =>
            h(
              'option',
              { value: grade.grade },
              t('line.gradeOption', {
                grade: grade.grade,
                br: grade.brMinT,
                hcj: grade.hcjMinKAm,
                temp: grade.maxTempC,
              }) + (grade.controlled ? t('line.gradeControlled') : ''),
            ),
          ),
      ),
    ),
  );
  select.value = value;
}

function fillCoatingOptions(select) {
  const value = select.value;
  select.replaceChildren(
    h('option', { value: '' }, t('line.coatingChoose')),
    ...catalogue.coatings.map((coating) =>
      h(
        'option',
        { value: coating.code },
        t('line.coatingOption', { code: coating.code, name: coating.name, temp: coating.maxTempC ?? '—' }),
      ),
    ),
  );
  select.value = value;
}

function fillShapeOptions(select) {
  const value = select.value || catalogue.shapes[0];
  select.replaceChildren(...catalogue.shapes.map((shape) => h('option', { value: shape }, t(`shape.${shape}`))));
  select.value = value;
}

function fillStaticPickers() {
  const incoterm = fields.incoterm.value || catalogue.incoterms[0];
  fields.incoterm.replaceChildren(...catalogue.incoterms.map((code) => h('option', { value: code }, code)));
  fields.incoterm.value = incoterm;
  const countries = [...new Set(catalogue.trademarks.flatMap((mark) => mark.protectedIn))].sort();
  byId('country-codes').replaceChildren(...countries.map((code) => h('option', { value: code })));
  byId('trademark-list').replaceChildren(...catalogue.trademarks.map((mark) => h('option', { value: mark.mark })));
  const { versions } = catalogue;
  if (versions) byId('rules-version').textContent = t('form.rulesVersion', versions);
}

// ── lines ───────────────────────────────────────────────────────────────────

/** A labelled control with its hint and its error slot right above it; the control names both in aria-describedby. */
function field(control, labelKey, { hintKey, describedBy = [], wide = false } = {}) {
  const errorId = `${control.id}-error`;
  const hint = hintKey ? h('p', { class: 'hint', id: `${control.id}-hint`, 'data-i18n': hintKey }, t(hintKey)) : null;
  control.dataset.errorId = errorId;
  control.setAttribute('aria-describedby', [hint?.id, ...describedBy, errorId].filter(Boolean).join(' '));
  return h(
    'div',
    { class: wide ? 'field wide' : 'field' },
    h('label', { for: control.id, 'data-i18n': labelKey }, t(labelKey)),
    hint,
    h('p', { class: 'field-error', id: errorId, hidden: true }),
    control,
  );
}

function createLine() {
  const uid = nextUid++;
  const id = (name) => `line${uid}-${name}`;
  const line = { uid, dimValues: {} };
  line.grade = h('select', { id: id('grade'), required: true });
  line.coating = h('select', { id: id('coating'), required: true });
  line.shapeType = h('select', { id: id('shape') });
  line.quantity = h('input', {
    id: id('quantity'),
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'off',
    required: true,
    class: 'number',
  });
  line.offered = h('input', {
    id: id('offered'),
    type: 'text',
    inputmode: 'decimal',
    autocomplete: 'off',
    required: true,
    maxlength: 10,
    class: 'number',
  });
  fillGradeOptions(line.grade);
  fillCoatingOptions(line.coating);
  fillShapeOptions(line.shapeType);

  line.legend = h('legend');
  line.error = h('p', { class: 'field-error', id: id('error'), hidden: true });
  line.specAdvice = h('p', { class: 'advice', id: id('spec') });
  line.gradeInfo = h('p', { class: 'advice', id: id('grade-info') });
  line.dims = h('div', { class: 'grid dims', id: id('dims') });
  line.dimsError = h('p', { class: 'field-error', id: id('dims-error'), hidden: true });
  line.dims.dataset.errorId = line.dimsError.id;
  line.quoteOut = h('p', { class: 'line-quote', id: id('quote') });
  line.flag = h('p', { class: 'flag', id: id('flag'), hidden: true });
  line.flagText = h('span');
  line.useUnified = h('button', { type: 'button', class: 'link-button' });
  line.flag.append(line.flagText, ' ', line.useUnified);
  line.remove = h('button', { type: 'button', class: 'secondary remove-line' });

  line.root = h(
    'fieldset',
    { class: 'line', id: id('fieldset') },
    line.legend,
    line.error,
    h(
      'div',
      { class: 'grid' },
      field(line.grade, 'line.grade', { describedBy: [line.gradeInfo.id, line.specAdvice.id], wide: true }),
      field(line.coating, 'line.coating'),
      field(line.shapeType, 'line.shape'),
    ),
    line.gradeInfo,
    line.specAdvice,
    line.dimsError,
    line.dims,
    h(
      'div',
      { class: 'grid' },
      field(line.quantity, 'line.quantity'),
      field(line.offered, 'line.offered', { hintKey: 'line.offeredHint', describedBy: [line.flag.id] }),
    ),
    line.quoteOut,
    line.flag,
    line.remove,
  );
  line.root.dataset.errorId = line.error.id;

  line.shapeType.addEventListener('change', () => renderDimensions(line));
  line.remove.addEventListener('click', () => removeLine(line));
  line.useUnified.addEventListener('click', () => {
    line.offered.value = line.useUnified.dataset.unit ?? '';
    clearFieldError(line.offered);
    renderQuote();
    line.offered.focus();
  });
  renderDimensions(line);
  return line;
}

/** Shows the dimension inputs of the chosen shape; values typed for a dimension survive a change of shape. */
function renderDimensions(line) {
  const names = SHAPE_DIMENSIONS[line.shapeType.value] ?? [];
  line.dims.replaceChildren(
    ...names.map((name) => {
      const input = h('input', {
        id: `line${line.uid}-${name}`,
        type: 'text',
        inputmode: 'decimal',
        autocomplete: 'off',
        required: true,
        class: 'number',
        'data-dimension': name,
      });
      input.value = line.dimValues[name] ?? '';
      input.addEventListener('input', () => {
        line.dimValues[name] = input.value;
      });
      return field(input, `dim.${name}`);
    }),
  );
  renumber();
}

/** Line positions decide the JSON pointers; this keeps legends, labels and data-path in step with them. */
function renumber() {
  lines.forEach((line, index) => {
    const n = index + 1;
    const base = `/lines/${index}`;
    line.legend.textContent = t('line.legend', { n });
    line.remove.textContent = t('line.remove', { n });
    line.remove.hidden = lines.length === 1;
    line.root.dataset.path = base;
    line.grade.dataset.path = `${base}/grade`;
    line.coating.dataset.path = `${base}/coating`;
    line.shapeType.dataset.path = `${base}/shape/type`;
    line.dims.dataset.path = `${base}/shape`;
    for (const input of line.dims.querySelectorAll('input[data-dimension]')) {
      input.dataset.path = `${base}/shape/${input.dataset.dimension}`;
    }
    line.quantity.dataset.path = `${base}/quantityKg`;
    line.offered.dataset.path = `${base}/offeredUnitPriceUsdPerKg`;
  });
  addLineButton.disabled = lines.length >= MAX_LINES;
  addLineButton.textContent = lines.length >= MAX_LINES ? t('lines.max') : t('lines.add');
}

function addLine({ focus = true } = {}) {
  if (lines.length >= MAX_LINES) return;
  const line = createLine();
  lines.push(line);
  linesContainer.append(line.root);
  renumber();
  updateAdvice();
  if (focus) {
    line.grade.focus();
    linesStatus.textContent = t('lines.added', { n: lines.length });
  }
  scheduleQuote();
}

function removeLine(line) {
  if (lines.length <= 1) return;
  const index = lines.indexOf(line);
  lines = lines.filter((other) => other !== line);
  line.root.remove();
  renumber();
  updateAdvice();
  (lines[index] ?? lines[index - 1])?.grade.focus();
  linesStatus.textContent = t('lines.removed', { count: lines.length });
  scheduleQuote();
}

// ── reading the form ────────────────────────────────────────────────────────

function readRaw() {
  return {
    buyer: {
      company: fields.company.value,
      country: fields.buyerCountry.value,
      contactName: fields.contactName.value,
      email: fields.email.value,
    },
    destinationCountry: fields.destination.value,
    endUse: { description: fields.endUse.value, military: fields.military.checked },
    trademark: fields.trademark.value,
    incoterm: fields.incoterm.value,
    requestedShipDate: fields.shipDate.value,
    licenceShown: !licenceGroup.hidden,
    licence: { number: fields.licenceNumber.value, validUntil: fields.licenceValidUntil.value },
    lines: lines.map((line) => ({
      grade: line.grade.value,
      coating: line.coating.value,
      shapeType: line.shapeType.value,
      dims: Object.fromEntries((SHAPE_DIMENSIONS[line.shapeType.value] ?? []).map((n) => [n, line.dimValues[n] ?? ''])),
      quantityKg: line.quantity.value,
      offeredUnitPriceUsdPerKg: line.offered.value,
    })),
  };
}

// ── advice (not errors: the workflow decides) ───────────────────────────────

function updateAdvice() {
  if (!catalogue) return;
  licenceGroup.hidden = !lines.some((line) => gradeByName(line.grade.value)?.controlled === true);

  const markName = fields.trademark.value.trim();
  const mark = catalogue.trademarks.find((candidate) => candidate.mark === markName);
  const destination = fields.destination.value.trim();
  const shipDate = fields.shipDate.value;
  let advice = '';
  let warning = false;
  if (markName && !mark) {
    advice = t('trademark.unknown', { mark: markName });
    warning = true;
  } else if (mark && /^[A-Z]{2}$/.test(destination) && !mark.protectedIn.includes(destination)) {
    advice = t('trademark.notProtected', { mark: mark.mark, country: destination });
    warning = true;
  } else if (mark && shipDate && mark.expires <= shipDate) {
    advice = t('trademark.expires', { mark: mark.mark, expires: mark.expires });
    warning = true;
  } else if (mark) {
    advice = t('trademark.protected', {
      mark: mark.mark,
      countries: mark.protectedIn.join(', '),
      expires: mark.expires,
    });
  }
  trademarkAdvice.textContent = advice;
  trademarkAdvice.classList.toggle('warning', warning);

  for (const line of lines) {
    const grade = gradeByName(line.grade.value);
    const coating = coatingByCode(line.coating.value);
    const tooHot = grade && coating && coating.maxTempC !== null && coating.maxTempC < grade.maxTempC;
    line.specAdvice.textContent = tooHot
      ? t('line.coatingTooHot', {
          coating: coating.code,
          coatingTemp: coating.maxTempC,
          grade: grade.grade,
          gradeTemp: grade.maxTempC,
        })
      : '';
    line.specAdvice.classList.toggle('warning', Boolean(tooHot));
    // The select's own text is cut short on a phone; the chosen grade's properties are repeated in full here.
    line.gradeInfo.textContent = grade
      ? t('line.gradeOption', { grade: grade.grade, br: grade.brMinT, hcj: grade.hcjMinKAm, temp: grade.maxTempC }) +
        (grade.controlled ? t('line.gradeControlled') : '')
      : '';
  }
}

// ── live quote ──────────────────────────────────────────────────────────────

function scheduleQuote() {
  clearTimeout(quoteState.timer);
  quoteState.timer = setTimeout(runQuote, QUOTE_DEBOUNCE_MS);
}

async function runQuote() {
  if (!catalogue) return;
  const raw = readRaw();
  const terms = quoteTerms(raw);
  const priced = [];
  raw.lines.forEach((rawLine, index) => {
    const quoted = quoteLine(rawLine);
    if (quoted && lines[index]) priced.push({ uid: lines[index].uid, line: quoted });
  });
  if (!terms || priced.length === 0) {
    quoteState.controller?.abort();
    quoteState.requestText = '';
    quoteState.result = null;
    renderQuote();
    return;
  }
  const requestText = JSON.stringify({ lines: priced.map((p) => p.line), ...terms });
  const uids = priced.map((p) => p.uid);
  if (requestText === quoteState.requestText && quoteState.result && sameUids(quoteState.result.uids, uids)) {
    renderQuote();
    return;
  }
  quoteState.controller?.abort();
  const controller = new AbortController();
  quoteState.controller = controller;
  const seq = ++quoteState.seq;
  quoteState.requestText = requestText;
  quoteTotal.textContent = t('quote.loading');
  let result;
  try {
    const { status, body } = await callApi('POST', '/quotes', { body: requestText, signal: controller.signal });
    if (status === 200 && Array.isArray(body?.lines)) {
      result = { ok: true, uids, request: priced, response: body, incoterm: terms.incoterm };
    } else {
      result = {
        ok: false,
        uids,
        request: priced,
        detail: problemDetail(body, `HTTP ${status}`),
        problems: problemErrors(body),
      };
    }
  } catch (error) {
    if (error?.name === 'AbortError') return;
    result = { ok: false, uids, request: priced, detail: t('quote.offline'), problems: [] };
    quoteState.requestText = ''; // let the next keystroke retry
  }
  if (seq !== quoteState.seq) return;
  quoteState.result = result;
  renderQuote();
}

function sameUids(a, b) {
  return a.length === b.length && a.every((uid, index) => uid === b[index]);
}

/** Per-line unified price and amount, the total, and a visible flag on every line offered below the unified price. */
function renderQuote() {
  const result = quoteState.result;
  let belowCount = 0;
  for (const line of lines) {
    const position = result ? result.uids.indexOf(line.uid) : -1;
    const quoted = result?.ok && position >= 0 ? result.response.lines[position] : undefined;
    if (quoted) line.quoteOut.dataset.unitPrice = quoted.unitPriceUsdPerKg;
    else delete line.quoteOut.dataset.unitPrice;
    if (quoted) {
      const kg = result.request[position].line.quantityKg;
      line.quoteOut.textContent = t('line.quote', {
        unit: formatUsd(quoted.unitPriceUsdPerKg),
        kg: kg.toLocaleString('en-US'),
        amount: formatUsd(quoted.amountUsd),
      });
    } else if (result && !result.ok && position >= 0) {
      const own = result.problems.filter((p) => p.path.startsWith(`/lines/${position}/`)).map((p) => p.message);
      line.quoteOut.textContent = t('line.notPriced', { message: own.join('; ') || result.detail });
    } else {
      line.quoteOut.textContent = t('line.quoteWaiting');
    }
    const offered = line.offered.value.trim();
    const below = Boolean(quoted) && PRICE_PATTERN.test(offered) && isBelow(offered, quoted.unitPriceUsdPerKg);
    line.flag.hidden = !below;
    line.root.classList.toggle('below-unified', below);
    if (below) {
      belowCount += 1;
      line.flagText.textContent = t('line.below', { unit: quoted.unitPriceUsdPerKg });
      line.useUnified.textContent = t('line.useUnified', { unit: quoted.unitPriceUsdPerKg });
      line.useUnified.dataset.unit = quoted.unitPriceUsdPerKg;
    }
  }
  if (!result) {
    quoteTotal.textContent = t('quote.waiting');
  } else if (!result.ok) {
    quoteTotal.textContent = t('quote.failed', { detail: result.detail });
  } else {
    const missing = lines.length - result.uids.length;
    const params = {
      total: formatUsd(result.response.totalUsd),
      incoterm: result.incoterm,
      version: result.response.priceListVersion,
      missing,
    };
    quoteTotal.textContent = missing > 0 ? t('quote.partial', params) : t('quote.total', params);
  }
  quoteBelow.hidden = belowCount === 0;
  quoteBelow.textContent = belowCount === 0 ? '' : t('quote.belowCount', { count: belowCount });
}

// ── errors ──────────────────────────────────────────────────────────────────

/** The element a JSON pointer points at: the exact field, else its nearest enclosing group (e.g. /lines/0). */
function targetFor(path) {
  let pointer = path;
  while (pointer) {
    const element = form.querySelector(`[data-path="${CSS.escape(pointer)}"]`);
    if (element) return element;
    pointer = pointer.slice(0, pointer.lastIndexOf('/'));
  }
  return null;
}

function isControl(element) {
  return element.matches('input, select, textarea');
}

function labelFor(element) {
  const label = isControl(element) ? form.querySelector(`label[for="${CSS.escape(element.id)}"]`) : null;
  const own = (label?.textContent ?? element.querySelector('legend, h2')?.textContent ?? '').replace(/\s*\*$/, '');
  const line = element.closest('fieldset.line');
  const legend = line && line !== element ? line.querySelector('legend')?.textContent : '';
  return [legend, own].filter(Boolean).join(' · ');
}

function clearFieldError(element) {
  element.removeAttribute('aria-invalid');
  const slot = element.dataset.errorId ? document.getElementById(element.dataset.errorId) : null;
  if (slot) {
    slot.textContent = '';
    slot.hidden = true;
  }
}

function clearErrors() {
  for (const element of form.querySelectorAll('[data-error-id]')) clearFieldError(element);
  errorSummary.replaceChildren();
}

/** Puts each message next to its field and lists them all, as links to the fields, in the live summary. */
function showErrors(errors, { server = false } = {}) {
  const items = [];
  // The summary follows the page's reading order, not the body's key order.
  const located = errors.map((error) => ({ ...error, target: targetFor(error.path) }));
  located.sort((a, b) => {
    if (!a.target || !b.target || a.target === b.target) return 0;
    return a.target.compareDocumentPosition(b.target) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
  });
  for (const { path, message, target } of located) {
    const slot = target?.dataset.errorId ? document.getElementById(target.dataset.errorId) : null;
    if (target && slot) {
      slot.textContent = slot.textContent ? `${slot.textContent}; ${message}` : message;
      slot.hidden = false;
      if (isControl(target)) target.setAttribute('aria-invalid', 'true');
    }
    const focusable = target && (isControl(target) ? target : target.querySelector('input, select, textarea'));
    const text = target ? `${labelFor(target)}: ${message}` : `${path || '/'}: ${message}`;
    items.push(h('li', {}, focusable ? h('a', { href: `#${focusable.id}`, 'data-focus': focusable.id }, text) : text));
  }
  const heading = t(server ? 'errors.headingServer' : 'errors.heading', { count: errors.length });
  errorSummary.replaceChildren(h('h2', {}, heading), h('ul', {}, ...items));
  errorSummary.focus();
}

errorSummary.addEventListener('click', (event) => {
  const link = event.target.closest?.('a[data-focus]');
  if (!link) return;
  event.preventDefault();
  const target = document.getElementById(link.dataset.focus);
  target?.scrollIntoView({ block: 'center' });
  target?.focus();
});

// ── submission ──────────────────────────────────────────────────────────────

function newIdempotencyKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function setBusy(busy) {
  submitButton.disabled = busy;
  submitButton.dataset.i18n = busy ? 'submit.busy' : 'submit.button';
  submitButton.textContent = t(submitButton.dataset.i18n);
  form.setAttribute('aria-busy', String(busy));
}

function setSubmitStatus(text, isError = true) {
  submitStatus.textContent = text;
  submitStatus.classList.toggle('error', isError && text !== '');
}

async function submit(event) {
  event.preventDefault();
  if (submission.inFlight || !catalogue) return;
  clearErrors();
  setSubmitStatus('');
  const { body, errors } = buildOrder(readRaw());
  if (errors.length > 0) {
    showErrors(errors);
    return;
  }
  const bodyText = JSON.stringify(body);
  if (bodyText !== submission.bodyText) {
    submission.bodyText = bodyText;
    submission.key = newIdempotencyKey();
  }
  submission.inFlight = true;
  setBusy(true);
  let leaving = false;
  try {
    const { status, body: answer } = await callApi('POST', '/orders', {
      body: bodyText,
      headers: { 'Idempotency-Key': submission.key },
    });
    if (status === 202 && typeof answer?.orderId === 'string') {
      leaving = true;
      window.location.assign(`/orders/${encodeURIComponent(answer.orderId)}`);
      return;
    }
    // A 4xx answer means nothing was created, so the next attempt may carry a new key (and must, if the body changed
    // only on the wire). After a 5xx or a lost answer the outcome is unknown: the same key is kept for the retry.
    if (status >= 400 && status < 500) submission.bodyText = '';
    const fieldErrors = problemErrors(answer);
    if (status === 422 && fieldErrors.length > 0) showErrors(fieldErrors, { server: true });
    else if (status === 429) setSubmitStatus(t('submit.rateLimited'));
    else if (status >= 500) setSubmitStatus(t('submit.serverError', { status }));
    else setSubmitStatus(t('submit.refused', { detail: problemDetail(answer, `HTTP ${status}`) }));
  } catch {
    setSubmitStatus(t('submit.networkError'));
  } finally {
    submission.inFlight = false;
    if (!leaving) setBusy(false);
  }
}

// ── wiring ──────────────────────────────────────────────────────────────────

const quoteInputs = new Set([fields.incoterm, fields.shipDate, fields.destination]);

function onEdit(event) {
  const target = event.target;
  if (!(target instanceof HTMLElement)) return;
  if (target.classList.contains('country')) {
    const upper = target.value.toUpperCase();
    if (upper !== target.value) target.value = upper;
  }
  if (target.getAttribute('aria-invalid') === 'true') clearFieldError(target);
  updateAdvice();
  const line = lines.find((candidate) => candidate.root.contains(target));
  if (line && target === line.offered) renderQuote();
  else if (line || quoteInputs.has(target)) scheduleQuote();
}

function rerenderLanguage() {
  if (catalogue) {
    fillStaticPickers();
    for (const line of lines) {
      fillGradeOptions(line.grade);
      fillCoatingOptions(line.coating);
      fillShapeOptions(line.shapeType);
    }
  }
  submitButton.textContent = t(submitButton.dataset.i18n ?? 'submit.button');
  renumber();
  updateAdvice();
  renderQuote();
}

async function loadCatalogue() {
  const status = byId('catalogue-status');
  try {
    const { status: code, body } = await callApi('GET', '/catalogue');
    if (code !== 200 || !Array.isArray(body?.grades)) throw new Error(`HTTP ${code}`);
    catalogue = body;
  } catch {
    status.dataset.i18n = 'form.loadFailed';
    status.textContent = t('form.loadFailed');
    status.classList.add('error');
    return;
  }
  fillStaticPickers();
  addLine({ focus: false });
  status.removeAttribute('data-i18n');
  status.textContent = '';
  status.hidden = true;
  submitButton.disabled = false;
  form.dataset.ready = 'true';
}

initLanguage(rerenderLanguage);
submitButton.disabled = true;
form.addEventListener('submit', submit);
form.addEventListener('input', onEdit);
form.addEventListener('change', onEdit);
addLineButton.addEventListener('click', () => addLine());
loadCatalogue();
