/**
 * Turns the form's raw strings into the POST /api/orders body and mirrors the API's zod schema
 * (functions/domain/order.ts) as field errors keyed by the same JSON pointers the server uses. The server stays the
 * authority: this only saves the buyer a round trip.
 */
import { t } from './i18n.js';

export const MAX_LINES = 20;
export const MAX_QUANTITY_KG = 1_000_000;

export const SHAPE_DIMENSIONS = {
  block: ['lengthMm', 'widthMm', 'thicknessMm'],
  disc: ['diameterMm', 'thicknessMm'],
  ring: ['outerDiameterMm', 'innerDiameterMm', 'thicknessMm'],
  arc: ['outerRadiusMm', 'innerRadiusMm', 'angleDeg', 'lengthMm'],
};

const LIMITS = {
  company: 200,
  contactName: 120,
  email: 254,
  description: 500,
  trademark: 64,
  licenceNumber: 64,
  grade: 16,
  coating: 32,
};

/** The API's unit-price pattern: at most 7 integer digits and 2 decimals. */
export const PRICE_PATTERN = /^(0|[1-9]\d{0,6})(\.\d{1,2})?$/;
const COUNTRY_PATTERN = /^[A-Z]{2}$/;
/** zod 4's z.email() pattern, copied so the form refuses exactly what the API refuses. */
const EMAIL_PATTERN =
  /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;
const NUMBER_PATTERN = /^\d+(\.\d+)?$/;
const INTEGER_PATTERN = /^[1-9]\d*$/;

/** A real calendar day in YYYY-MM-DD (2027-02-29 is not). */
export function isRealDate(value) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [year, month, day] = value.split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function requiredText(value, max, path, errors) {
  const text = (value ?? '').trim();
  if (text === '') errors.push({ path, message: t('errors.required') });
  else if (text.length > max) errors.push({ path, message: t('errors.tooLong', { max }) });
  return text;
}

/** A picked value (grade, coating): the select's empty option means nothing was chosen. */
function picked(value, max, path, errors) {
  const text = (value ?? '').trim();
  if (text === '') errors.push({ path, message: t('errors.choose') });
  else if (text.length > max) errors.push({ path, message: t('errors.tooLong', { max }) });
  return text;
}

function country(value, path, errors) {
  const code = (value ?? '').trim();
  if (code === '') errors.push({ path, message: t('errors.required') });
  else if (!COUNTRY_PATTERN.test(code)) errors.push({ path, message: t('errors.country') });
  return code;
}

function date(value, path, errors) {
  const text = (value ?? '').trim();
  if (text === '') errors.push({ path, message: t('errors.required') });
  else if (!isRealDate(text)) errors.push({ path, message: t('errors.date') });
  return text;
}

function chosen(value, path, errors) {
  if (!value) errors.push({ path, message: t('errors.choose') });
  return value ?? '';
}

/** A dimension is a positive number up to 1000 mm (360 for an angle); returns NaN when it is not. */
function dimension(name, value, path, errors) {
  const text = (value ?? '').trim();
  const max = name === 'angleDeg' ? 360 : 1000;
  const number = NUMBER_PATTERN.test(text) ? Number(text) : Number.NaN;
  if (text === '') errors.push({ path, message: t('errors.required') });
  else if (!(number > 0 && number <= max)) errors.push({ path, message: t('errors.dimension', { max }) });
  return number;
}

function quantity(value, path, errors) {
  const text = (value ?? '').trim();
  if (text === '') {
    errors.push({ path, message: t('errors.required') });
    return Number.NaN;
  }
  if (!INTEGER_PATTERN.test(text)) {
    errors.push({ path, message: t('errors.integerKg') });
    return Number.NaN;
  }
  const kg = Number(text);
  if (kg > MAX_QUANTITY_KG) errors.push({ path, message: t('errors.maxKg', { max: MAX_QUANTITY_KG }) });
  return kg;
}

function price(value, path, errors) {
  const text = (value ?? '').trim();
  if (text === '') errors.push({ path, message: t('errors.required') });
  else if (!PRICE_PATTERN.test(text)) errors.push({ path, message: t('errors.price') });
  else if (!/[1-9]/.test(text)) errors.push({ path, message: t('errors.pricePositive') });
  return text;
}

/** The shape object for a line (with numbers), collecting errors under /lines/{i}/shape/…. */
function shape(rawLine, base, errors) {
  const type = chosen(rawLine.shapeType, `${base}/shape/type`, errors);
  const result = { type };
  for (const name of SHAPE_DIMENSIONS[type] ?? []) {
    result[name] = dimension(name, rawLine.dims?.[name], `${base}/shape/${name}`, errors);
  }
  return result;
}

function line(rawLine, index, errors) {
  const base = `/lines/${index}`;
  return {
    grade: picked(rawLine.grade, LIMITS.grade, `${base}/grade`, errors),
    shape: shape(rawLine, base, errors),
    coating: picked(rawLine.coating, LIMITS.coating, `${base}/coating`, errors),
    quantityKg: quantity(rawLine.quantityKg, `${base}/quantityKg`, errors),
    offeredUnitPriceUsdPerKg: price(rawLine.offeredUnitPriceUsdPerKg, `${base}/offeredUnitPriceUsdPerKg`, errors),
  };
}

/** raw form strings → { body, errors }; `errors` is [] when the body should pass the API's schema. */
export function buildOrder(raw) {
  const errors = [];
  const body = {
    buyer: {
      company: requiredText(raw.buyer.company, LIMITS.company, '/buyer/company', errors),
      country: country(raw.buyer.country, '/buyer/country', errors),
      contactName: requiredText(raw.buyer.contactName, LIMITS.contactName, '/buyer/contactName', errors),
      email: requiredText(raw.buyer.email, LIMITS.email, '/buyer/email', errors),
    },
    destinationCountry: country(raw.destinationCountry, '/destinationCountry', errors),
    endUse: {
      description: requiredText(raw.endUse.description, LIMITS.description, '/endUse/description', errors),
      military: raw.endUse.military === true,
    },
    trademark: requiredText(raw.trademark, LIMITS.trademark, '/trademark', errors),
    incoterm: chosen(raw.incoterm, '/incoterm', errors),
    requestedShipDate: date(raw.requestedShipDate, '/requestedShipDate', errors),
  };
  if (body.buyer.email && !errors.some((e) => e.path === '/buyer/email') && !EMAIL_PATTERN.test(body.buyer.email)) {
    errors.push({ path: '/buyer/email', message: t('errors.email') });
  }
  const licenceNumber = (raw.licence?.number ?? '').trim();
  const licenceDate = (raw.licence?.validUntil ?? '').trim();
  if (raw.licenceShown && (licenceNumber !== '' || licenceDate !== '')) {
    // The schema wants both or no licence object at all; a half-filled licence is surely a slip.
    if (licenceNumber === '') errors.push({ path: '/licence/number', message: t('errors.licencePair') });
    if (licenceDate === '') errors.push({ path: '/licence/validUntil', message: t('errors.licencePair') });
    body.licence = {
      number: licenceNumber === '' ? '' : requiredText(licenceNumber, LIMITS.licenceNumber, '/licence/number', errors),
      validUntil: licenceDate === '' ? '' : date(licenceDate, '/licence/validUntil', errors),
    };
  }
  if (raw.lines.length < 1 || raw.lines.length > MAX_LINES) errors.push({ path: '/lines', message: t('errors.lines') });
  body.lines = raw.lines.map((rawLine, index) => line(rawLine, index, errors));
  return { body, errors };
}

/**
 * The quote request line for one raw line, without the offered price (a quote does not need it), or null while the
 * line is not complete enough to price.
 */
export function quoteLine(rawLine) {
  const errors = [];
  const { offeredUnitPriceUsdPerKg: _offered, ...priced } = line(
    { ...rawLine, offeredUnitPriceUsdPerKg: '1' },
    0,
    errors,
  );
  return errors.length === 0 ? priced : null;
}

/** Incoterm and ship date as a quote needs them, or null while either is missing or invalid. */
export function quoteTerms(raw) {
  const errors = [];
  const incoterm = chosen(raw.incoterm, '/incoterm', errors);
  const requestedShipDate = date(raw.requestedShipDate, '/requestedShipDate', errors);
  const destination = (raw.destinationCountry ?? '').trim();
  if (errors.length > 0) return null;
  return COUNTRY_PATTERN.test(destination)
    ? { incoterm, requestedShipDate, destinationCountry: destination }
    : { incoterm, requestedShipDate };
}
