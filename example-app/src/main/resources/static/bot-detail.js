import { openStatusStream } from './status-stream/status-stream.js';
import { csrfHeaders, formatPrice, formatTime, formatUsdt, getJson, showConnection, signClass } from './format.js';

const id = new URLSearchParams(window.location.search).get('id');
const $ = (elementId) => document.getElementById(elementId);
const points = [];
const MAX_POINTS = 120;

function render(state) {
  if (!state) {
    $('status').className = 'badge';
    $('status').textContent = 'no state';
    return;
  }
  $('status').className = 'badge ' + state.status;
  $('status').textContent = state.status;
  $('in-position').textContent = state.inPosition ? 'yes' : 'no';
  $('entry-price').textContent = state.inPosition ? formatPrice(state.entryPrice) : '—';
  $('daily-pnl').textContent = formatUsdt(state.dailyPnlUsdt);
  $('daily-pnl').className = 'value ' + signClass(state.dailyPnlUsdt);
  $('trade-count').textContent = state.dailyTradeCount;
  $('updated-at').textContent = formatTime(state.updatedAt);
  $('start').disabled = state.status === 'running';
  $('stop').disabled = state.status === 'stopped';
  points.push({ at: Date.parse(state.updatedAt), pnl: Number(state.dailyPnlUsdt) });
  if (points.length > MAX_POINTS) {
    points.shift();
  }
  drawChart();
}

function drawChart() {
  const canvas = $('pnl-chart');
  const context = canvas.getContext('2d');
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  if (points.length === 0) {
    return;
  }
  const values = points.map((point) => point.pnl);
  const low = Math.min(0, ...values);
  const high = Math.max(0, ...values);
  const span = high - low || 1;
  const y = (value) => height - 16 - ((value - low) / span) * (height - 32);
  const x = (index) => 16 + (points.length === 1 ? 0 : (index / (points.length - 1)) * (width - 32));
  context.strokeStyle = '#2a3644';
  context.beginPath();
  context.moveTo(16, y(0));
  context.lineTo(width - 16, y(0));
  context.stroke();
  context.strokeStyle = values[values.length - 1] >= 0 ? '#3fb950' : '#f85149';
  context.lineWidth = 2;
  context.beginPath();
  points.forEach((point, index) => (index === 0 ? context.moveTo(x(index), y(point.pnl)) : context.lineTo(x(index), y(point.pnl))));
  context.stroke();
  context.fillStyle = '#8b9bb0';
  context.font = '12px system-ui';
  context.fillText(formatUsdt(high) + ' USDT', 20, 14);
  context.fillText(formatUsdt(low) + ' USDT', 20, height - 4);
}

async function command(action) {
  $('action-error').textContent = '';
  const response = await fetch(`api/v1/bots/${id}/${action}`, {
    method: 'POST', credentials: 'same-origin', headers: csrfHeaders(),
  });
  if (!response.ok) {
    $('action-error').textContent = `${action} failed: ${response.status}`;
  }
}

function revoked() {
  $('status').className = 'badge';
  $('status').textContent = 'no access';
  $('start').disabled = true;
  $('stop').disabled = true;
}

const bot = await getJson('api/v1/bots/' + encodeURIComponent(id));
$('name').textContent = bot.name;
$('symbol').textContent = bot.symbol;
document.title = 'TradeBot — ' + bot.name;
$('start').addEventListener('click', () => command('start'));
$('stop').addEventListener('click', () => command('stop'));
openStatusStream(`api/v1/bots/${encodeURIComponent(id)}/status-stream`, {
  onEvent: ({ kind, state }) => (kind === 'revoked' ? revoked() : render(state)),
  onStatus: (status, reason) => showConnection($('connection'), status, reason),
  pauseWhenHiddenMs: 5 * 60 * 1000,
});
