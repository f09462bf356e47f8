/** The pages' words in English (first) and Simplified Chinese; pure lookups, DOM touched only by applyTranslations. */

const en = {
  'site.brand': 'Unified export channel · Sintered NdFeB magnets',
  'site.skip': 'Skip to content',
  'site.langToggle': '中文',

  'form.title': 'Order sintered NdFeB magnets',
  'form.intro':
    'One order form for the whole producers’ group. Prices are the unified price list; the quote updates as you type. Fields marked * are required.',
  'form.loading': 'Loading the catalogue…',
  'form.loadFailed': 'The catalogue could not be loaded. Reload the page to try again.',
  'form.rulesVersion': 'Rules in force: {catalogue}, {priceList}, {trademarks}, {compliance}.',

  'buyer.legend': 'Buyer',
  'buyer.company': 'Company name *',
  'buyer.country': 'Company country *',
  'buyer.contactName': 'Contact name *',
  'buyer.email': 'E-mail *',
  'country.hint': 'Two-letter ISO code, e.g. DE',

  'shipment.legend': 'Shipment',
  'shipment.destination': 'Destination country *',
  'shipment.incoterm': 'Incoterm *',
  'shipment.shipDate': 'Requested ship date *',
  'shipment.trademark': 'Trademark *',
  'shipment.trademarkHint': 'The group’s registered mark to ship under.',
  'trademark.protected': '{mark} is protected in {countries}; registered until {expires}.',
  'trademark.notProtected': 'Note: {mark} is not protected in {country}; the trademark check will fail.',
  'trademark.expires': 'Note: {mark} expires on {expires}, on or before the ship date; the trademark check will fail.',
  'trademark.unknown': 'Note: “{mark}” is not in the trademark register; the trademark check will fail.',

  'endUse.legend': 'End use',
  'endUse.description': 'Describe the end use *',
  'endUse.descriptionHint': 'What the magnets will go into, e.g. “EV traction motors”.',
  'endUse.military': 'The magnets are for a military end use',

  'licence.legend': 'Export licence',
  'licence.intro':
    'At least one line uses an export-controlled grade. Give your licence, or the order will be held for a reviewer (LICENCE_REQUIRED).',
  'licence.number': 'Licence number',
  'licence.validUntil': 'Licence valid until',

  'lines.heading': 'Lines',
  'lines.intro': 'From 1 to 20 lines. Each line is one grade, coating and shape.',
  'lines.add': 'Add a line',
  'lines.max': 'An order has at most 20 lines.',
  'lines.added': 'Line {n} added.',
  'lines.removed': 'Line removed; {count} line(s) left.',
  choose: 'Choose',
  'line.legend': 'Line {n}',
  'line.remove': 'Remove line {n}',
  'line.grade': 'Grade *',
  'line.gradeChoose': 'Choose a grade',
  'line.gradeOption': '{grade} — Br ≥ {br} T · HcJ ≥ {hcj} kA/m · max {temp} °C',
  'line.gradeControlled': ' · export-controlled',
  'line.family': '{family} family',
  'line.coating': 'Coating *',
  'line.coatingChoose': 'Choose a coating',
  'line.coatingOption': '{code} — {name} (max {temp} °C)',
  'line.coatingTooHot':
    'Note: {coating} is rated to {coatingTemp} °C but {grade} works up to {gradeTemp} °C; the grade check will fail.',
  'line.shape': 'Shape *',
  'line.quantity': 'Quantity (kg) *',
  'line.offered': 'Your offered price (USD/kg) *',
  'line.offeredHint': 'A decimal with at most 2 decimals, e.g. 72.00',
  'line.quoteWaiting': 'Unified price: fill in grade, coating, dimensions, quantity, Incoterm and ship date.',
  'line.quote': 'Unified price {unit} USD/kg × {kg} kg = {amount} USD',
  'line.below':
    'Below the unified price: offer at least {unit} USD/kg, or the order will be rejected (PRICE_BELOW_UNIFIED).',
  'line.useUnified': 'Offer {unit}',
  'line.notPriced': 'Not priced: {message}',

  'shape.block': 'Block',
  'shape.disc': 'Disc',
  'shape.ring': 'Ring',
  'shape.arc': 'Arc segment',
  'dim.lengthMm': 'Length (mm) *',
  'dim.widthMm': 'Width (mm) *',
  'dim.thicknessMm': 'Thickness (mm) *',
  'dim.diameterMm': 'Diameter (mm) *',
  'dim.outerDiameterMm': 'Outer diameter (mm) *',
  'dim.innerDiameterMm': 'Inner diameter (mm) *',
  'dim.outerRadiusMm': 'Outer radius (mm) *',
  'dim.innerRadiusMm': 'Inner radius (mm) *',
  'dim.angleDeg': 'Angle (°) *',

  'quote.heading': 'Unified quote',
  'quote.waiting': 'The quote appears when the lines, Incoterm and ship date are filled in.',
  'quote.loading': 'Updating the quote…',
  'quote.total': 'Total {total} USD ({incoterm}, price list {version})',
  'quote.partial':
    'Total of the priced lines {total} USD ({incoterm}, price list {version}); {missing} line(s) not priced yet.',
  'quote.failed': 'The quote is unavailable right now: {detail}',
  'quote.offline': 'the server could not be reached',
  'quote.belowCount': '{count} line(s) are offered below the unified price.',

  'submit.button': 'Submit order',
  'submit.busy': 'Submitting…',
  'submit.note': 'Submitting twice is safe: one submission creates one order.',
  'submit.networkError':
    'We could not reach the server. Your order was not duplicated; press Submit order again to retry the same submission.',
  'submit.serverError': 'The server could not take the order right now ({status}). Press Submit order again to retry.',
  'submit.rateLimited': 'Too many requests. Wait a moment, then press Submit order again.',
  'submit.refused': 'The order was refused: {detail}',

  'errors.heading': 'There is a problem with {count} field(s)',
  'errors.headingServer': 'The server refused the order: {count} problem(s)',
  'errors.required': 'Enter this field',
  'errors.choose': 'Choose an option',
  'errors.tooLong': 'Use at most {max} characters',
  'errors.country': 'Use a two-letter ISO 3166-1 code in capitals, e.g. DE',
  'errors.email': 'Enter an e-mail address like name@example.com',
  'errors.date': 'Enter a real calendar date (YYYY-MM-DD)',
  'errors.integerKg': 'Enter a whole number of kilograms greater than 0',
  'errors.maxKg': 'At most {max} kg per line',
  'errors.price': 'Enter a price with at most 7 digits and 2 decimals, e.g. 72.00',
  'errors.pricePositive': 'The price must be greater than 0',
  'errors.dimension': 'Enter a number greater than 0 and at most {max}',
  'errors.licencePair': 'Give both the licence number and its expiry date, or neither',
  'errors.lines': 'An order has 1 to 20 lines',

  'status.title': 'Order status',
  'status.heading': 'Order {id}',
  'status.loading': 'Loading the order…',
  'status.label': 'Status',
  'status.RECEIVED': 'Received — the checks start shortly.',
  'status.CHECKING': 'Checking trademark, grade, price and compliance…',
  'status.HELD': 'Held for a reviewer. This waits on people, so the page stops refreshing; use Refresh to check again.',
  'status.REJECTED': 'Rejected — a check failed. The reasons are listed below.',
  'status.ALLOCATED':
    'Allocated — every kilogram is reserved at member factories, which now accept their share. This waits on people, so the page stops refreshing; use Refresh to check again.',
  'status.UNFILLED': 'Unfilled — the checks passed but member factories lack capacity; nothing stays reserved.',
  'status.CONFIRMED': 'Confirmed — every factory has accepted its allocation.',
  'status.CANCELLED': 'Cancelled.',
  'status.unknown': 'Status {status}.',
  'status.polling': 'This page refreshes by itself until the order settles.',
  'status.stopped': 'Last updated {time}.',
  'status.refresh': 'Refresh',
  'status.refreshing': 'Refreshing…',
  'status.notFoundTitle': 'Order not found',
  'status.notFound': 'No order has the id “{id}”. Check the link you were given, or place a new order.',
  'status.loadFailed': 'The order could not be loaded ({detail}). Use Refresh to try again.',
  'status.checks': 'Checks',
  'status.checksNone': 'No check has run yet.',
  'status.allocations': 'Allocations',
  'status.allocationsNone': 'Nothing is allocated.',
  'status.history': 'Timeline',
  'status.order': 'What you ordered',
  'status.newOrder': 'Place another order',
  'status.submitted': 'Submitted {time}',
  'check.trademark': 'Trademark',
  'check.grade': 'Grade and specification',
  'check.price': 'Price',
  'check.compliance': 'Export compliance',
  'outcome.pass': 'Passed',
  'outcome.fail': 'Failed',
  'outcome.hold': 'On hold',
  'alloc.line': 'Line',
  'alloc.factory': 'Factory',
  'alloc.quantity': 'Quantity (kg)',
  'alloc.status': 'Status',
  'summary.buyer': 'Buyer',
  'summary.destination': 'Destination',
  'summary.trademark': 'Trademark',
  'summary.terms': 'Terms',
  'summary.endUse': 'End use',
  'summary.line': 'Line {n}: {grade}, {coating}, {shape}, {kg} kg at {price} USD/kg',
};

/** @type {Record<string, string>} */
const zh = {
  'site.brand': '统一出口渠道 · 烧结钕铁硼磁体',
  'site.skip': '跳到正文',
  'site.langToggle': 'English',

  'form.title': '订购烧结钕铁硼磁体',
  'form.intro': '整个生产商集团的统一订单表。价格按统一价目表计算，报价随输入实时更新。标有 * 的为必填项。',
  'form.loading': '正在加载产品目录…',
  'form.loadFailed': '无法加载产品目录，请刷新页面重试。',
  'form.rulesVersion': '现行规则：{catalogue}、{priceList}、{trademarks}、{compliance}。',

  'buyer.legend': '买方',
  'buyer.company': '公司名称 *',
  'buyer.country': '公司所在国 *',
  'buyer.contactName': '联系人 *',
  'buyer.email': '电子邮箱 *',
  'country.hint': '两位 ISO 国家代码，如 DE',

  'shipment.legend': '发运',
  'shipment.destination': '目的国 *',
  'shipment.incoterm': '贸易术语 *',
  'shipment.shipDate': '要求发运日期 *',
  'shipment.trademark': '商标 *',
  'shipment.trademarkHint': '发运所用的集团注册商标。',
  'trademark.protected': '{mark} 在 {countries} 受保护，有效期至 {expires}。',
  'trademark.notProtected': '注意：{mark} 在 {country} 不受保护，商标检查将不通过。',
  'trademark.expires': '注意：{mark} 于 {expires} 到期，不晚于发运日期，商标检查将不通过。',
  'trademark.unknown': '注意：“{mark}” 不在商标登记簿中，商标检查将不通过。',

  'endUse.legend': '最终用途',
  'endUse.description': '最终用途说明 *',
  'endUse.descriptionHint': '磁体的用途，例如“电动汽车驱动电机”。',
  'endUse.military': '磁体用于军事用途',

  'licence.legend': '出口许可证',
  'licence.intro': '至少一行使用了受出口管制的牌号。请填写许可证，否则订单将转人工审核（LICENCE_REQUIRED）。',
  'licence.number': '许可证编号',
  'licence.validUntil': '许可证有效期至',

  'lines.heading': '订单行',
  'lines.intro': '1 至 20 行。每行为一种牌号、镀层和形状。',
  'lines.add': '添加一行',
  'lines.max': '一个订单最多 20 行。',
  'lines.added': '已添加第 {n} 行。',
  'lines.removed': '已删除一行；剩余 {count} 行。',
  choose: '请选择',
  'line.legend': '第 {n} 行',
  'line.remove': '删除第 {n} 行',
  'line.grade': '牌号 *',
  'line.gradeChoose': '选择牌号',
  'line.gradeOption': '{grade} — Br ≥ {br} T · HcJ ≥ {hcj} kA/m · 最高 {temp} °C',
  'line.gradeControlled': ' · 出口管制',
  'line.family': '{family} 系列',
  'line.coating': '镀层 *',
  'line.coatingChoose': '选择镀层',
  'line.coatingOption': '{code} — {name}（最高 {temp} °C）',
  'line.coatingTooHot':
    '注意：{coating} 耐温 {coatingTemp} °C，而 {grade} 工作温度可达 {gradeTemp} °C，牌号检查将不通过。',
  'line.shape': '形状 *',
  'line.quantity': '数量（千克）*',
  'line.offered': '您的报价（美元/千克）*',
  'line.offeredHint': '最多两位小数，例如 72.00',
  'line.quoteWaiting': '统一价：请填写牌号、镀层、尺寸、数量、贸易术语和发运日期。',
  'line.quote': '统一价 {unit} 美元/千克 × {kg} 千克 = {amount} 美元',
  'line.below': '低于统一价：报价至少 {unit} 美元/千克，否则订单将被拒绝（PRICE_BELOW_UNIFIED）。',
  'line.useUnified': '报价 {unit}',
  'line.notPriced': '无法定价：{message}',

  'shape.block': '方块',
  'shape.disc': '圆片',
  'shape.ring': '圆环',
  'shape.arc': '瓦形',
  'dim.lengthMm': '长度（毫米）*',
  'dim.widthMm': '宽度（毫米）*',
  'dim.thicknessMm': '厚度（毫米）*',
  'dim.diameterMm': '直径（毫米）*',
  'dim.outerDiameterMm': '外径（毫米）*',
  'dim.innerDiameterMm': '内径（毫米）*',
  'dim.outerRadiusMm': '外半径（毫米）*',
  'dim.innerRadiusMm': '内半径（毫米）*',
  'dim.angleDeg': '角度（°）*',

  'quote.heading': '统一报价',
  'quote.waiting': '填写订单行、贸易术语和发运日期后显示报价。',
  'quote.loading': '正在更新报价…',
  'quote.total': '合计 {total} 美元（{incoterm}，价目表 {version}）',
  'quote.partial': '已定价行合计 {total} 美元（{incoterm}，价目表 {version}）；尚有 {missing} 行未定价。',
  'quote.failed': '暂时无法报价：{detail}',
  'quote.offline': '无法连接服务器',
  'quote.belowCount': '有 {count} 行报价低于统一价。',

  'submit.button': '提交订单',
  'submit.busy': '正在提交…',
  'submit.note': '重复提交是安全的：一次提交只会生成一个订单。',
  'submit.networkError': '无法连接服务器。订单不会重复；请再次点击“提交订单”重试同一次提交。',
  'submit.serverError': '服务器暂时无法接收订单（{status}）。请再次点击“提交订单”重试。',
  'submit.rateLimited': '请求过多。请稍候再点击“提交订单”。',
  'submit.refused': '订单被拒收：{detail}',

  'errors.heading': '有 {count} 个字段需要修改',
  'errors.headingServer': '服务器拒收了订单：{count} 个问题',
  'errors.required': '请填写此项',
  'errors.choose': '请选择一项',
  'errors.tooLong': '最多 {max} 个字符',
  'errors.country': '请使用两位大写 ISO 3166-1 代码，如 DE',
  'errors.email': '请输入电子邮箱，如 name@example.com',
  'errors.date': '请输入有效日期（YYYY-MM-DD）',
  'errors.integerKg': '请输入大于 0 的整数千克数',
  'errors.maxKg': '每行最多 {max} 千克',
  'errors.price': '价格最多 7 位整数、2 位小数，例如 72.00',
  'errors.pricePositive': '价格必须大于 0',
  'errors.dimension': '请输入大于 0 且不超过 {max} 的数',
  'errors.licencePair': '许可证编号和有效期须同时填写或同时留空',
  'errors.lines': '一个订单有 1 至 20 行',

  'status.title': '订单状态',
  'status.heading': '订单 {id}',
  'status.loading': '正在加载订单…',
  'status.label': '状态',
  'status.RECEIVED': '已接收——检查即将开始。',
  'status.CHECKING': '正在检查商标、牌号、价格和合规…',
  'status.HELD': '待人工审核。此状态需等待人工处理，页面已停止自动刷新；请点击“刷新”查看。',
  'status.REJECTED': '已拒绝——有检查未通过，原因见下。',
  'status.ALLOCATED':
    '已分配——全部数量已在成员工厂预留，等待工厂接受。此状态需等待人工处理，页面已停止自动刷新；请点击“刷新”查看。',
  'status.UNFILLED': '未满足——检查通过，但成员工厂产能不足；未保留任何预留。',
  'status.CONFIRMED': '已确认——所有工厂均已接受分配。',
  'status.CANCELLED': '已取消。',
  'status.unknown': '状态 {status}。',
  'status.polling': '本页会自动刷新，直到订单状态确定。',
  'status.stopped': '最后更新 {time}。',
  'status.refresh': '刷新',
  'status.refreshing': '正在刷新…',
  'status.notFoundTitle': '未找到订单',
  'status.notFound': '没有编号为“{id}”的订单。请核对链接，或重新下单。',
  'status.loadFailed': '无法加载订单（{detail}）。请点击“刷新”重试。',
  'status.checks': '检查',
  'status.checksNone': '尚未进行任何检查。',
  'status.allocations': '分配',
  'status.allocationsNone': '尚无分配。',
  'status.history': '时间线',
  'status.order': '订单内容',
  'status.newOrder': '再下一单',
  'status.submitted': '提交于 {time}',
  'check.trademark': '商标',
  'check.grade': '牌号与规格',
  'check.price': '价格',
  'check.compliance': '出口合规',
  'outcome.pass': '通过',
  'outcome.fail': '未通过',
  'outcome.hold': '待审核',
  'alloc.line': '行',
  'alloc.factory': '工厂',
  'alloc.quantity': '数量（千克）',
  'alloc.status': '状态',
  'summary.buyer': '买方',
  'summary.destination': '目的国',
  'summary.trademark': '商标',
  'summary.terms': '条款',
  'summary.endUse': '最终用途',
  'summary.line': '第 {n} 行：{grade}，{coating}，{shape}，{kg} 千克，单价 {price} 美元/千克',
};

const dictionaries = { en, 'zh-Hans': zh };
const STORAGE_KEY = 'export-channel.lang';

let current = 'en';

export function language() {
  return current;
}

/** Looks a key up in the current language, falling back to English, then to the key itself; fills {name} slots. */
export function t(key, params = {}) {
  const template = dictionaries[current]?.[key] ?? en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (slot, name) => (name in params ? String(params[name]) : slot));
}

/** Sets every [data-i18n] element's text (never its HTML) and the document language. */
export function applyTranslations(root) {
  for (const element of root.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll('[data-i18n-label]')) {
    element.setAttribute('aria-label', t(element.dataset.i18nLabel));
  }
  root.documentElement?.setAttribute('lang', current === 'en' ? 'en' : 'zh-Hans');
}

function storedLanguage() {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null; // storage blocked: English it is
  }
}

/** Wires the language toggle; `onChange` re-renders the page's dynamic text. */
export function initLanguage(onChange) {
  const stored = storedLanguage();
  if (stored && stored in dictionaries) current = stored;
  applyTranslations(document);
  const toggle = document.getElementById('lang-toggle');
  toggle?.addEventListener('click', () => {
    current = current === 'en' ? 'zh-Hans' : 'en';
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, current);
    } catch {
      // not persisted; the toggle still works for this page
    }
    applyTranslations(document);
    markToggle(toggle);
    onChange();
  });
  if (toggle) markToggle(toggle);
}

/** The toggle names the other language in that language, so screen readers pronounce it right. */
function markToggle(toggle) {
  toggle.setAttribute('lang', current === 'en' ? 'zh-Hans' : 'en');
}
