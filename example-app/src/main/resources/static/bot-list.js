import { openStatusStream } from './status-stream/status-stream.js';
import { formatPrice, formatTime, formatUsdt, getJson, showConnection, signClass } from './format.js';

const rows = new Map();
const connection = document.getElementById('connection');

function row(bot) {
  const tr = document.createElement('tr');
  tr.id = 'bot-' + bot.id;
  tr.innerHTML = `<td><a href="bot.html?id=${bot.id}"></a></td><td></td><td><span class="badge status"></span></td>
    <td class="position"></td><td class="num pnl"></td><td class="num trades"></td><td class="updated"></td>`;
  tr.querySelector('a').textContent = bot.name;
  tr.children[1].textContent = bot.symbol;
  return tr;
}

function render(tr, state) {
  const badge = tr.querySelector('.status');
  if (!state) {
    badge.className = 'badge status';
    badge.textContent = 'no state';
    return;
  }
  badge.className = 'badge status ' + state.status;
  badge.textContent = state.status;
  tr.querySelector('.position').textContent = state.inPosition ? 'in @ ' + formatPrice(state.entryPrice) : 'flat';
  const pnl = tr.querySelector('.pnl');
  pnl.textContent = formatUsdt(state.dailyPnlUsdt);
  pnl.className = 'num pnl ' + signClass(state.dailyPnlUsdt);
  tr.querySelector('.trades').textContent = state.dailyTradeCount;
  tr.querySelector('.updated').textContent = formatTime(state.updatedAt);
}

const me = await getJson('api/v1/me');
document.getElementById('user').textContent = me.name;
const bots = await getJson('api/v1/bots');
const body = document.getElementById('bots');
bots.forEach((bot) => {
  const tr = row(bot);
  rows.set(String(bot.id), tr);
  body.appendChild(tr);
});
if (bots.length > 0) {
  openStatusStream('api/v1/bots/status-stream?ids=' + bots.map((bot) => bot.id).join(','), {
    onEvent: ({ key, kind, state }) => {
      const tr = rows.get(key);
      if (tr && kind === 'revoked') {
        // No longer this user's bot: it leaves the page.
        tr.remove();
        rows.delete(key);
      } else if (tr) {
        render(tr, state);
      }
    },
    onStatus: (status, reason) => showConnection(connection, status, reason),
    pauseWhenHiddenMs: 5 * 60 * 1000,
  });
}
