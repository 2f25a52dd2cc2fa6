// The admin page: headline figures and a chart per day for a period, the carts with what each connector did with
// them, the connectors with pause, resume and replay, the dead letters with their attempts, per-product and
// per-order-form figures, and the suppression list. Every value is put into the page as text (never as HTML):
// buyers choose their names. Times are shown in the browser's zone, the ISO instant on hover.
'use strict';

const API = '../api/';
const PAGE_SIZE = 50;
const DASH = '—';
const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const TIME = new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle: 'short'});
const DAY = new Intl.DateTimeFormat(undefined, {month: 'short', day: 'numeric', timeZone: 'UTC'});
let csrf = null;
let cartPage = 0;
const drawn = {days: [], products: []};

function api(path, options = {}) {
  return request(API + path, options);
}

/** A JSON request of the page's session; POSTs carry the CSRF token. */
async function request(url, options = {}) {
  const headers = Object.assign({'X-Requested-With': 'XMLHttpRequest'}, options.headers || {});
  if (options.method && options.method !== 'GET') {
    headers[csrf.headerName] = csrf.token;
  }
  const response = await fetch(url, Object.assign({}, options, {headers, credentials: 'same-origin'}));
  if (response.status === 401) {
    location.href = 'login.html';
    throw new Error('The session has ended; sign in again.');
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (e) {
    body = null;
  }
  if (!response.ok) {
    throw new Error((body && body.detail) || ('The hub answered ' + response.status + ' to ' + url));
  }
  return body;
}

function showError(error) {
  const box = document.getElementById('error');
  box.textContent = error.message;
  box.hidden = false;
}

function clearError() {
  document.getElementById('error').hidden = true;
}

function element(name, className, text) {
  const node = document.createElement(name);
  if (className) {
    node.className = className;
  }
  if (text != null) {
    node.textContent = String(text);
  }
  return node;
}

/**
 * A cell with its column's heading as data-label (shown beside the value when the table becomes cards); returns
 * what holds its content.
 */
function cell(row, content, className) {
  const td = document.createElement('td');
  let inner = td;
  if (content instanceof Node) {
    // one box per cell, so a card shows its label and its value side by side
    inner = element('div', 'cell');
    inner.appendChild(content);
    td.appendChild(inner);
  } else {
    td.textContent = content == null || content === '' ? DASH : String(content);
  }
  if (className) {
    td.className = className;
  }
  const table = row.closest('table') || row.table;
  const heading = table ? table.tHead.rows[0].cells[row.cells.length] : null;
  if (heading) {
    td.dataset.label = heading.textContent;
  }
  row.appendChild(td);
  return inner;
}

function tableRow(tableId, className) {
  const row = document.createElement('tr');
  row.table = document.getElementById(tableId);
  if (className) {
    row.className = className;
  }
  return row;
}

/** A time in the browser's zone, the ISO instant in its title; a dash when there is none. */
function time(iso) {
  if (!iso) {
    return document.createTextNode(DASH);
  }
  const node = element('time', null, TIME.format(new Date(iso)));
  node.dateTime = iso;
  node.title = iso;
  return node;
}

function percent(rate) {
  return rate == null ? DASH : (Number(rate) * 100).toFixed(1) + ' %';
}

function amount(value, currency) {
  if (value == null) {
    return DASH;
  }
  try {
    return new Intl.NumberFormat(undefined, {style: 'currency', currency: currency || 'XXX'}).format(Number(value));
  } catch (e) {
    return value + ' ' + (currency || '');
  }
}

/** Amounts per currency, e.g. "€12.50, $3.00"; "0" when there are none. */
function money(revenue) {
  const entries = Object.entries(revenue || {});
  return entries.length === 0 ? '0' : entries.map(([currency, value]) => amount(value, currency)).join(', ');
}

/** The period's dates as instants of the browser's zone: from the first day's midnight to the day after the last. */
function period() {
  const params = new URLSearchParams();
  const from = document.getElementById('filter-from').value;
  const to = document.getElementById('filter-to').value;
  if (from) {
    params.set('from', new Date(from + 'T00:00:00').toISOString());
  }
  if (to) {
    const end = new Date(to + 'T00:00:00');
    end.setDate(end.getDate() + 1);
    params.set('to', end.toISOString());
  }
  return params;
}

function filters() {
  const params = period();
  for (const name of ['email', 'product', 'status']) {
    const value = document.getElementById('filter-' + name).value.trim();
    if (value) {
      params.set(name, value);
    }
  }
  return params;
}

function localDate(date) {
  const pad = n => String(n).padStart(2, '0');
  return date.getFullYear() + '-' + pad(date.getMonth() + 1) + '-' + pad(date.getDate());
}

function choosePeriod(days) {
  const today = new Date();
  const first = new Date(today);
  first.setDate(first.getDate() - days + 1);
  document.getElementById('filter-from').value = localDate(first);
  document.getElementById('filter-to').value = localDate(today);
}

function tile(id, text, value) {
  const node = document.querySelector('#' + id + ' .value');
  node.textContent = text;
  node.dataset.value = value == null ? '' : JSON.stringify(value);
}

async function loadSummary() {
  const params = period();
  params.set('zone', ZONE);
  const summary = await api('summary?' + params);
  tile('tile-abandoned', summary.abandoned, summary.abandoned);
  tile('tile-recovered', summary.recovered, summary.recovered);
  tile('tile-rate', percent(summary.recoveryRate), summary.recoveryRate);
  tile('tile-revenue', money(summary.recoveredRevenue), summary.recoveredRevenue);
  tile('tile-open', money(summary.openRevenue), summary.openRevenue);
  drawDays(summary.days);
  document.getElementById('overview').dataset.loaded = params.toString();
}

const SVG = 'http://www.w3.org/2000/svg';

function svg(name, attributes, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) {
    node.setAttribute(key, value);
  }
  if (text != null) {
    node.textContent = text;
  }
  return node;
}

/** Two bars per day (abandoned, recovered) on one scale, a few date labels below, the counts in each bar's title. */
function drawDays(days) {
  drawn.days = days;
  const chart = document.getElementById('days-chart');
  chart.replaceChildren();
  // drawn at the width it is shown, so its text keeps its size on any screen
  const width = Math.max(280, Math.round(chart.getBoundingClientRect().width) || 800);
  const height = 220;
  const left = 36;
  const bottom = 24;
  const area = height - bottom - 10;
  chart.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
  if (days.length === 0) {
    chart.appendChild(svg('text', {x: left, y: 30}, 'No carts in this period.'));
    return;
  }
  const max = Math.max(1, ...days.map(d => Math.max(d.abandoned, d.recovered)));
  const step = Math.pow(10, Math.floor(Math.log10(max)));
  const top = Math.ceil(max / step) * step;
  [0, top / 2, top].forEach(value => {
    const y = 10 + area - value / top * area;
    chart.appendChild(svg('line', {class: 'grid', x1: left, x2: width, y1: y, y2: y}));
    chart.appendChild(svg('text', {class: 'axis', x: left - 6, y: y + 4, 'text-anchor': 'end'},
      Number.isInteger(value) ? value : value.toFixed(1)));
  });
  const slot = (width - left) / days.length;
  const bar = Math.max(1, Math.min(14, slot * 0.38));
  const labelEvery = Math.ceil(days.length / Math.max(2, Math.floor(width / 90)));
  days.forEach((day, i) => {
    const x = left + i * slot + slot / 2;
    [['abandoned', -bar], ['recovered', 0]].forEach(([figure, offset]) => {
      const h = day[figure] / top * area;
      const rect = svg('rect', {class: figure, x: x + offset, y: 10 + area - h, width: bar, height: h,
        'data-date': day.date, 'data-count': day[figure]});
      rect.appendChild(svg('title', {}, day.date + ': ' + day[figure] + ' ' + figure));
      chart.appendChild(rect);
    });
    if (i % labelEvery === 0) {
      chart.appendChild(svg('text', {class: 'axis', x: x, y: height - 6, 'text-anchor': 'middle'},
        DAY.format(new Date(day.date + 'T00:00:00Z'))));
    }
  });
}

const DELIVERY_WORDS = {delivered: 'sent', pending: 'pending', suppressed: 'suppressed', dead: 'dead',
  cancelled: 'not sent'};

/** The reasons the hub stores, in a few words for a chip; the whole reason stays in its title. */
function shortReason(delivery) {
  const reason = delivery.reason || '';
  if (delivery.status === 'suppressed') {
    if (/EU country and gave no newsletter consent/.test(reason)) {
      return 'EU buyer without consent';
    }
    if (/EU country/.test(reason)) {
      return 'EU buyer';
    }
    if (/requireConsent/.test(reason)) {
      return 'no consent';
    }
    if (/unsubscribed/.test(reason)) {
      return 'unsubscribed';
    }
  }
  if (delivery.status === 'cancelled') {
    return 'recovered first';
  }
  const http = /HTTP (\d{3})/.exec(reason);
  if (delivery.status === 'dead' && http) {
    return 'HTTP ' + http[1];
  }
  return null;
}

function deliveryChips(deliveries) {
  if (!deliveries || deliveries.length === 0) {
    return document.createTextNode(DASH);
  }
  const list = element('ul', 'chips');
  for (const delivery of deliveries) {
    const word = DELIVERY_WORDS[delivery.status] || delivery.status;
    const what = delivery.event === 'checkout.recovered' ? ' recovery'
      : delivery.event === 'checkout.abandoned' ? '' : ' ' + delivery.event;
    const step = delivery.step > 0 ? ' #' + (delivery.step + 1) : '';
    const reason = shortReason(delivery);
    const chip = element('li', 'chip ' + delivery.status,
      delivery.connector + what + step + ': ' + word + (reason ? ' (' + reason + ')' : ''));
    chip.dataset.connector = delivery.connector;
    chip.dataset.status = delivery.status;
    if (delivery.reason) {
      chip.title = delivery.reason;
    }
    list.appendChild(chip);
  }
  return list;
}

function products(cart) {
  const items = cart.items && cart.items.length ? cart.items : cart.products.map(id => ({productId: id}));
  if (items.length === 0) {
    return document.createTextNode(DASH);
  }
  const list = element('ul', 'products');
  for (const item of items) {
    const li = element('li');
    if (item.name) {
      li.appendChild(element('span', 'product-name', item.name));
      li.appendChild(document.createTextNode(' '));
    }
    li.appendChild(element('code', 'product-id', item.productId));
    list.appendChild(li);
  }
  return list;
}

async function loadCarts() {
  const params = filters();
  document.getElementById('csv-download').href = API + 'carts.csv' + (params.toString() ? '?' + params : '');
  params.set('page', cartPage);
  params.set('size', PAGE_SIZE);
  const result = await api('carts?' + params);
  const body = document.getElementById('carts-body');
  body.replaceChildren();
  for (const cart of result.items) {
    const row = tableRow('carts-table', 'cart');
    row.dataset.id = cart.id;
    cell(row, time(cart.startedAt), 'time');
    cell(row, cart.email, 'email');
    cell(row, [cart.firstName, cart.lastName].filter(Boolean).join(' '));
    cell(row, element('span', 'status-word ' + cart.status, cart.status), 'status');
    cell(row, products(cart));
    cell(row, cart.total == null ? DASH : amount(cart.total, cart.currency), 'number');
    cell(row, cart.recovered ? amount(cart.recovered.amount, cart.recovered.currency) : DASH, 'number recovered');
    cell(row, deliveryChips(cart.deliveries), 'deliveries');
    cell(row, cart.source + (cart.orderFormId ? ' · form ' + cart.orderFormId : ''));
    body.appendChild(row);
  }
  const first = result.total === 0 ? 0 : result.page * result.size + 1;
  const last = result.page * result.size + result.items.length;
  document.getElementById('carts-info').textContent = first + '–' + last + ' of ' + result.total;
  document.getElementById('carts-previous').disabled = result.page === 0;
  document.getElementById('carts-next').disabled = last >= result.total;
  document.getElementById('carts-table').dataset.loaded = params.toString();
}

function figuresRow(tableId, figures, key) {
  const row = tableRow(tableId);
  cell(row, figures[key]);
  cell(row, figures.source);
  cell(row, figures.started, 'number');
  cell(row, figures.abandoned, 'number');
  cell(row, figures.recovered, 'number');
  cell(row, figures.converted, 'number');
  cell(row, percent(figures.conversionRate), 'number');
  cell(row, percent(figures.recoveryRate), 'number');
  cell(row, money(figures.recoveredRevenue), 'number');
  return row;
}

/** Horizontal bars per product (the ten most started): started, abandoned and recovered, on one scale. */
function drawChart(products) {
  drawn.products = products;
  const chart = document.getElementById('stats-chart');
  chart.replaceChildren();
  const shown = products.slice(0, 10);
  const width = Math.max(280, Math.round(chart.getBoundingClientRect().width) || 820);
  const labelWidth = Math.min(160, Math.round(width * 0.3));
  const barArea = width - labelWidth - 40;
  const rowHeight = 42;
  const height = Math.max(shown.length * rowHeight + 30, 40);
  chart.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
  if (shown.length === 0) {
    chart.appendChild(svg('text', {x: 0, y: 20}, 'No carts in this period.'));
    return;
  }
  const max = Math.max(...shown.map(p => p.started), 1);
  shown.forEach((product, i) => {
    const y = i * rowHeight;
    chart.appendChild(svg('text', {x: 0, y: y + 22}, product.productId));
    [['started', 0], ['abandoned', 12], ['recovered', 24]].forEach(([figure, offset]) => {
      const width = product[figure] / max * barArea;
      const bar = svg('rect', {class: figure, x: labelWidth, y: y + offset, width: width, height: 10});
      bar.appendChild(svg('title', {}, figure + ': ' + product[figure]));
      chart.appendChild(bar);
      chart.appendChild(svg('text', {x: labelWidth + width + 4, y: y + offset + 9}, product[figure]));
    });
  });
  const legendY = shown.length * rowHeight + 18;
  [['started', 0], ['abandoned', 80], ['recovered', 175]].forEach(([figure, x]) => {
    chart.appendChild(svg('rect', {class: figure, x: x, y: legendY - 9, width: 10, height: 10}));
    chart.appendChild(svg('text', {x: x + 14, y: legendY}, figure));
  });
}

async function loadStats() {
  const stats = await api('stats?' + period());
  document.getElementById('products-body')
    .replaceChildren(...stats.products.map(p => figuresRow('products-table', p, 'productId')));
  document.getElementById('forms-body')
    .replaceChildren(...stats.orderForms.map(f => figuresRow('forms-table', f, 'orderFormId')));
  drawChart(stats.products);
}

const STATE_WORDS = {ok: 'ok', paused: 'paused', waiting: 'waiting', 'circuit-open': 'breaker open',
  disabled: 'disabled'};

function connectorState(connector) {
  const box = element('div', 'state-box');
  const chip = element('span', 'chip state ' + connector.state, STATE_WORDS[connector.state] || connector.state);
  chip.dataset.state = connector.state;
  box.appendChild(chip);
  if (connector.state === 'waiting' && connector.waitingUntil) {
    const until = element('span', 'detail', 'Retry-After until ');
    until.appendChild(time(connector.waitingUntil));
    box.appendChild(until);
  } else if (connector.state === 'disabled' && connector.disabledReason) {
    box.appendChild(element('span', 'detail', connector.disabledReason));
  } else if (connector.state === 'circuit-open') {
    box.appendChild(element('span', 'detail', 'new deliveries wait; retries keep their schedule'));
  }
  return box;
}

function lastError(connector) {
  if (!connector.lastError) {
    return document.createTextNode(DASH);
  }
  const box = element('div', 'error-box');
  if (connector.lastErrorAt) {
    box.appendChild(time(connector.lastErrorAt));
    box.appendChild(document.createTextNode(' '));
  }
  box.appendChild(element('span', 'error-text', connector.lastError));
  return box;
}

function actionButton(label, className, handler) {
  const button = element('button', className, label);
  button.type = 'button';
  button.addEventListener('click', handler);
  return button;
}

async function loadConnectors() {
  const connectors = await api('connectors');
  const body = document.getElementById('connectors-body');
  body.replaceChildren();
  for (const connector of connectors) {
    const row = tableRow('connectors-table', 'connector');
    row.id = 'connector-' + connector.name;
    row.dataset.name = connector.name;
    const name = element('div');
    name.appendChild(element('strong', 'connector-name', connector.name));
    name.appendChild(element('span', 'detail', connector.type));
    cell(row, name);
    cell(row, connectorState(connector), 'state');
    cell(row, connector.pending, 'number pending');
    cell(row, time(connector.oldestPending));
    cell(row, connector.deadLetters, 'number dead');
    cell(row, time(connector.lastSuccess));
    cell(row, lastError(connector), 'last-error');
    const actions = element('div', 'actions');
    const stopped = connector.paused || connector.state === 'disabled';
    if (stopped) {
      actions.appendChild(actionButton('Resume', 'resume',
        () => act(connector, 'resume', 'Resume ' + connector.name + '? Waiting deliveries go out again.')));
    } else {
      actions.appendChild(actionButton('Pause', 'pause secondary',
        () => act(connector, 'pause', 'Pause ' + connector.name + '? New deliveries wait until you resume it.')));
    }
    const replay = actionButton('Replay dead letters', 'replay-all secondary',
      () => act(connector, 'replay', 'Send the ' + connector.deadLetters + ' dead letters of ' + connector.name
        + ' again? Do it once the cause is fixed.'));
    replay.disabled = connector.deadLetters === 0;
    actions.appendChild(replay);
    cell(row, actions, 'actions-cell');
    body.appendChild(row);
  }
  document.getElementById('connectors-empty').hidden = connectors.length > 0;
}

/** The hub instances on this database: running ones first, then stopped and gone ones of the last day. */
async function loadInstances() {
  const instances = await api('instances');
  const body = document.getElementById('instances-body');
  body.replaceChildren();
  for (const instance of instances) {
    const row = tableRow('instances-table', 'instance');
    row.id = 'instance-' + instance.id;
    const name = element('div');
    name.appendChild(element('strong', 'instance-id', instance.id));
    if (instance.self) {
      name.appendChild(element('span', 'detail', 'this one'));
    }
    cell(row, name);
    cell(row, instance.state, 'state');
    cell(row, instance.host);
    cell(row, instance.pid, 'number');
    cell(row, time(instance.startedAt));
    cell(row, time(instance.heartbeatAt));
    body.appendChild(row);
  }
}

/** Pauses, resumes or replays a connector after the operator confirms, then shows the new state. */
async function act(connector, operation, question) {
  clearError();
  if (!confirm(question)) {
    return;
  }
  try {
    await api('connectors/' + encodeURIComponent(connector.name) + '/' + operation, {method: 'POST'});
    await loadConnectors();
    if (operation === 'replay') {
      await loadDeadLetters();
    }
    const again = document.querySelector('#connector-' + CSS.escape(connector.name) + ' .actions button');
    if (again) {
      again.focus();
    }
  } catch (error) {
    showError(error);
  }
}

function attemptsList(letter) {
  const attempts = letter.attempts || [];
  if (attempts.length === 0) {
    return document.createTextNode('0');
  }
  const details = element('details', 'attempts');
  details.appendChild(element('summary', null, attempts.length + (attempts.length === 1 ? ' attempt' : ' attempts')));
  const list = element('ol');
  for (const attempt of attempts) {
    const item = element('li');
    const head = element('div', 'attempt-head');
    head.appendChild(time(attempt.at));
    head.appendChild(document.createTextNode(' · ' + (attempt.statusCode == null ? 'no answer' : 'HTTP '
      + attempt.statusCode) + ' · ' + attempt.outcome + ' · ' + attempt.durationMs + ' ms'));
    item.appendChild(head);
    if (attempt.error) {
      item.appendChild(element('div', 'error-text', attempt.error));
    }
    if (attempt.responseBody) {
      item.appendChild(element('pre', 'answer', attempt.responseBody));
    }
    list.appendChild(item);
  }
  details.appendChild(list);
  return details;
}

async function loadDeadLetters() {
  const letters = await api('dead-letters?limit=100');
  const body = document.getElementById('dead-letters-body');
  body.replaceChildren();
  for (const letter of letters) {
    const row = tableRow('dead-letters-table', 'dead-letter');
    row.dataset.id = letter.id;
    cell(row, time(letter.deadAt));
    cell(row, letter.connector);
    const event = element('div', null, letter.eventType);
    if (letter.replayOf) {
      event.appendChild(element('span', 'detail', 'a replay that died again'));
    }
    cell(row, event);
    cell(row, letter.payload && letter.payload.customer ? letter.payload.customer.email : '', 'email');
    cell(row, letter.reason, 'reason');
    cell(row, attemptsList(letter), 'attempts-cell');
    const action = cell(row, document.createDocumentFragment(), 'replay-cell');
    action.appendChild(replayButton(letter.id, action));
    body.appendChild(row);
  }
  document.getElementById('dead-letters-empty').hidden = letters.length > 0;
}

function replayButton(id, action, again) {
  const button = actionButton(again ? 'Replay again' : 'Replay', 'replay', () => replay(id, button, action));
  button.title = 'Send this event to the connector again, as a new delivery';
  return button;
}

/**
 * Replays one dead letter and follows the new delivery until it is delivered or dead again; a replay that dies
 * again is a dead letter of its own, with its own button.
 */
async function replay(id, button, action) {
  clearError();
  button.disabled = true;
  let status = action.querySelector('.replay-status');
  if (!status) {
    status = element('span', 'replay-status', 'sending');
    status.setAttribute('role', 'status');
    action.appendChild(status);
  }
  try {
    const result = await api('dead-letters/' + encodeURIComponent(id) + '/replay', {method: 'POST'});
    const delivery = result.replayed[0];
    button.remove();
    status.dataset.delivery = delivery;
    for (let polls = 0; polls < 300; polls++) {
      const state = await api('deliveries/' + encodeURIComponent(delivery));
      status.textContent = state.status;
      status.className = 'replay-status ' + state.status;
      if (state.status === 'dead') {
        status.title = state.lastError || '';
        action.insertBefore(replayButton(delivery, action, true), status);
        return;
      }
      if (state.status !== 'pending') {
        return;
      }
      await new Promise(resolve => setTimeout(resolve, 1000));
    }
  } catch (error) {
    button.disabled = false;
    showError(error);
  }
}

async function loadSuppressions() {
  const page = await api('suppressions?limit=100');
  const body = document.getElementById('suppressions-body');
  body.replaceChildren();
  for (const entry of page.items) {
    const row = tableRow('suppressions-table', 'suppression');
    cell(row, time(entry.unsubscribedAt));
    cell(row, entry.erased ? '(erased)' : entry.email, 'email');
    cell(row, entry.source);
    cell(row, entry.reason);
    body.appendChild(row);
  }
  document.getElementById('suppressions-empty').hidden = page.items.length > 0;
}

/** Adds the form's address to the suppression list (add) or takes it off. */
async function changeSuppression(add) {
  clearError();
  const email = document.getElementById('suppression-email').value.trim();
  try {
    if (add) {
      const reason = document.getElementById('suppression-reason').value.trim();
      await api('suppressions', {method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify(reason ? {email, reason} : {email})});
    } else {
      await api('suppressions?email=' + encodeURIComponent(email), {method: 'DELETE'});
    }
    document.getElementById('suppression-form').reset();
    await loadSuppressions();
  } catch (error) {
    showError(error);
  }
}

function loadPeriod() {
  cartPage = 0;
  clearError();
  return Promise.all([loadSummary(), loadCarts(), loadStats()]).catch(showError);
}

async function refresh() {
  clearError();
  try {
    await Promise.all([loadSummary(), loadCarts(), loadStats(), loadConnectors(), loadDeadLetters(),
      loadSuppressions(), loadInstances()]);
  } catch (error) {
    showError(error);
  }
}

let redraw = 0;
window.addEventListener('resize', () => {
  cancelAnimationFrame(redraw);
  redraw = requestAnimationFrame(() => {
    drawDays(drawn.days);
    drawChart(drawn.products);
  });
});

document.addEventListener('DOMContentLoaded', async () => {
  document.getElementById('zone-name').textContent = ZONE;
  choosePeriod(30);
  try {
    csrf = await request('csrf');
    document.getElementById('logout-csrf').name = csrf.parameterName;
    document.getElementById('logout-csrf').value = csrf.token;
  } catch (error) {
    showError(error);
    return;
  }
  document.getElementById('period-form').addEventListener('submit', event => {
    event.preventDefault();
    loadPeriod();
  });
  for (const preset of document.querySelectorAll('button.preset')) {
    preset.addEventListener('click', () => {
      choosePeriod(Number(preset.dataset.days));
      loadPeriod();
    });
  }
  document.getElementById('cart-filters').addEventListener('submit', event => {
    event.preventDefault();
    cartPage = 0;
    clearError();
    loadCarts().catch(showError);
  });
  document.getElementById('suppression-form').addEventListener('submit', event => {
    event.preventDefault();
    changeSuppression(true);
  });
  document.getElementById('suppression-remove').addEventListener('click', () => changeSuppression(false));
  document.getElementById('connectors-refresh').addEventListener('click', () => {
    clearError();
    Promise.all([loadConnectors(), loadDeadLetters(), loadInstances()]).catch(showError);
  });
  document.getElementById('carts-previous').addEventListener('click', () => {
    cartPage = Math.max(cartPage - 1, 0);
    loadCarts().catch(showError);
  });
  document.getElementById('carts-next').addEventListener('click', () => {
    cartPage++;
    loadCarts().catch(showError);
  });
  await refresh();
});
