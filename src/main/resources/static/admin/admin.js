// The admin page: carts with filters and CSV download, per-product and per-order-form figures with a bar chart, and
// the dead letters with replay, and the suppression list (unsubscribed buyers, masked) with a form to add or remove. Every value is put into the page as text (never as HTML): buyers choose their names.
'use strict';

const API = '../api/';
const PAGE_SIZE = 50;
let csrf = null;
let cartPage = 0;

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

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text == null ? '' : String(text);
  if (className) {
    td.className = className;
  }
  row.appendChild(td);
  return td;
}

function percent(rate) {
  return rate == null ? '–' : (Number(rate) * 100).toFixed(1) + ' %';
}

function money(revenue) {
  return Object.entries(revenue || {}).map(([currency, amount]) => amount + ' ' + currency).join(', ');
}

function filters() {
  const params = new URLSearchParams();
  for (const name of ['from', 'to', 'email', 'product', 'status']) {
    const value = document.getElementById('filter-' + name).value.trim();
    if (value) {
      params.set(name, value);
    }
  }
  return params;
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
    const row = document.createElement('tr');
    row.className = 'cart';
    row.dataset.id = cart.id;
    cell(row, cart.startedAt);
    cell(row, cart.email, 'email');
    cell(row, [cart.firstName, cart.lastName].filter(Boolean).join(' '));
    cell(row, cart.status, 'status');
    cell(row, cart.products.join(', '));
    cell(row, cart.orderFormId);
    cell(row, cart.total == null ? '' : cart.total + ' ' + (cart.currency || ''), 'number');
    cell(row, cart.recovered ? cart.recovered.amount + ' ' + cart.recovered.currency : '', 'number');
    cell(row, cart.source);
    body.appendChild(row);
  }
  const first = result.total === 0 ? 0 : result.page * result.size + 1;
  const last = result.page * result.size + result.items.length;
  document.getElementById('carts-info').textContent = first + '–' + last + ' of ' + result.total;
  document.getElementById('carts-previous').disabled = result.page === 0;
  document.getElementById('carts-next').disabled = last >= result.total;
  document.getElementById('carts-table').dataset.loaded = params.toString();
}

function figuresRow(figures, key) {
  const row = document.createElement('tr');
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

const SVG = 'http://www.w3.org/2000/svg';

function svg(name, attributes, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) {
    element.setAttribute(key, value);
  }
  if (text != null) {
    element.textContent = text;
  }
  return element;
}

/** Horizontal bars per product (the ten most started): started, abandoned and recovered, on one scale. */
function drawChart(products) {
  const chart = document.getElementById('stats-chart');
  chart.replaceChildren();
  const shown = products.slice(0, 10);
  const labelWidth = 160;
  const barArea = 600;
  const rowHeight = 42;
  const height = Math.max(shown.length * rowHeight + 30, 40);
  chart.setAttribute('viewBox', '0 0 ' + (labelWidth + barArea + 60) + ' ' + height);
  chart.setAttribute('height', height);
  if (shown.length === 0) {
    chart.appendChild(svg('text', {x: 0, y: 20}, 'No checkouts in this range.'));
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
  [['started', 0], ['abandoned', 100], ['recovered', 220]].forEach(([figure, x]) => {
    chart.appendChild(svg('rect', {class: figure, x: labelWidth + x, y: legendY - 9, width: 10, height: 10}));
    chart.appendChild(svg('text', {x: labelWidth + x + 14, y: legendY}, figure));
  });
}

async function loadStats() {
  const params = new URLSearchParams();
  for (const name of ['from', 'to']) {
    const value = document.getElementById('filter-' + name).value;
    if (value) {
      params.set(name, value);
    }
  }
  const stats = await api('stats?' + params);
  document.getElementById('products-body').replaceChildren(...stats.products.map(p => figuresRow(p, 'productId')));
  document.getElementById('forms-body').replaceChildren(...stats.orderForms.map(f => figuresRow(f, 'orderFormId')));
  drawChart(stats.products);
}

async function loadDeadLetters() {
  const letters = await api('dead-letters?limit=100');
  const body = document.getElementById('dead-letters-body');
  body.replaceChildren();
  for (const letter of letters) {
    const row = document.createElement('tr');
    row.className = 'dead-letter';
    row.dataset.id = letter.id;
    cell(row, letter.deadAt);
    cell(row, letter.connector);
    cell(row, letter.eventType);
    cell(row, letter.payload && letter.payload.customer ? letter.payload.customer.email : '', 'email');
    cell(row, letter.reason);
    const action = cell(row, '');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'replay';
    button.textContent = 'Replay';
    button.addEventListener('click', () => replay(letter.id, button, action));
    action.appendChild(button);
    body.appendChild(row);
  }
  document.getElementById('dead-letters-empty').hidden = letters.length > 0;
}

/** Replays one dead letter and follows the new delivery until it is delivered or dead again. */
async function replay(id, button, action) {
  clearError();
  button.disabled = true;
  const status = document.createElement('span');
  status.className = 'replay-status';
  action.appendChild(status);
  try {
    const result = await api('dead-letters/' + encodeURIComponent(id) + '/replay', {method: 'POST'});
    const delivery = result.replayed[0];
    button.remove();
    status.dataset.delivery = delivery;
    for (let polls = 0; polls < 300; polls++) {
      const state = await api('deliveries/' + encodeURIComponent(delivery));
      status.textContent = state.status;
      status.className = 'replay-status ' + state.status;
      if (state.status === 'delivered' || state.status === 'dead') {
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
    const row = document.createElement('tr');
    row.className = 'suppression';
    cell(row, entry.unsubscribedAt);
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

async function refresh() {
  clearError();
  try {
    await Promise.all([loadCarts(), loadStats(), loadDeadLetters(), loadSuppressions()]);
  } catch (error) {
    showError(error);
  }
}

document.addEventListener('DOMContentLoaded', async () => {
  try {
    csrf = await request('csrf');
    document.getElementById('logout-csrf').name = csrf.parameterName;
    document.getElementById('logout-csrf').value = csrf.token;
  } catch (error) {
    showError(error);
    return;
  }
  document.getElementById('cart-filters').addEventListener('submit', event => {
    event.preventDefault();
    cartPage = 0;
    clearError();
    Promise.all([loadCarts(), loadStats()]).catch(showError);
  });
  document.getElementById('suppression-form').addEventListener('submit', event => {
    event.preventDefault();
    changeSuppression(true);
  });
  document.getElementById('suppression-remove').addEventListener('click', () => changeSuppression(false));
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
