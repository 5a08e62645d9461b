// Formatting and page helpers shared by the TradeBot pages.

export function formatUsdt(value) {
  if (value === null || value === undefined) {
    return '—';
  }
  const number = Number(value);
  return (number > 0 ? '+' : '') + number.toFixed(2);
}

export function formatPrice(value) {
  return value === null || value === undefined ? '—' : Number(value).toLocaleString('en-US', { maximumFractionDigits: 8 });
}

export function formatTime(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : '—';
}

export function signClass(value) {
  const number = Number(value);
  return number > 0 ? 'positive' : number < 0 ? 'negative' : '';
}

/** The stream's status in the header; an ended stream says why ('ended: logged-out'). */
export function showConnection(element, status, reason) {
  element.className = 'connection ' + status;
  element.textContent = reason ? status + ': ' + reason : status;
  element.dataset.status = status;
  element.dataset.reason = reason || '';
}

/** Spring Security's CSRF token, from the XSRF-TOKEN cookie, for POST requests made from scripts. */
export function csrfHeaders() {
  const match = document.cookie.match(/(?:^|; )XSRF-TOKEN=([^;]*)/);
  return match ? { 'X-XSRF-TOKEN': decodeURIComponent(match[1]) } : {};
}

export async function getJson(url) {
  const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (response.status === 401) {
    window.location.href = 'login';
  }
  if (!response.ok) {
    throw new Error(url + ' answered ' + response.status);
  }
  return response.json();
}
