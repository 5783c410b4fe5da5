// Shared by every page: calling the API, turning its errors into plain words, and building DOM safely.
// Everything the server or a resident wrote is inserted as text (textContent), never as HTML.

/** An API answer that was not 2xx, or no answer at all (status 0). */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** POST when a body is given, else GET; JSON both ways; throws ApiError with the server's message. */
export async function api(path, { method, body, token } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method: method || (body !== undefined ? 'POST' : 'GET'),
      headers,
      body: body !== undefined ? JSON.stringify(body) : undefined,
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (err) {
    throw new ApiError(0, 'network', '网络连接不上，请稍后再试。');
  }
  let data = null;
  try {
    data = await response.json();
  } catch (err) {
    data = null;
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(response.status, error.code || 'http_error', error.message || `服务器出错（${response.status}）`);
  }
  return data;
}

/** What went wrong, in words a resident or an agent understands, with the server's own message kept. */
export function plainError(err) {
  const status = err instanceof ApiError ? err.status : -1;
  const code = err instanceof ApiError ? err.code : '';
  const detail = err && err.message ? err.message : '';
  let words;
  if (status === 0) words = '网络连接不上，请稍后再试。';
  else if (status === 429) words = '操作太快了，请等一会儿再试。';
  else if (status === 413) words = '内容太长了，请说短一点。';
  else if (status === 401) words = '需要重新登录。';
  else if (status === 403) words = '没有权限做这件事。';
  else if (status === 404) words = '没有找到。';
  else if (status === 409) words = '现在不能这样操作。';
  else if (status === 422 || status === 400) words = '填写的内容有问题，请检查后再试。';
  else if (status >= 500) words = '系统暂时出了问题，请稍后再试，或拨打 12348 法律服务热线。';
  else words = '出了点问题，请再试一次。';
  // Chinese server messages are already plain words; English ones are kept as a detail for staff.
  const chinese = /[\u4e00-\u9fff]/.test(detail);
  if (code === 'assistant_unavailable' && chinese) return { words: detail, detail: '' };
  return { words, detail: detail && detail !== words ? detail : '' };
}

/** Build an element: h('p', {class: 'x', onclick: fn}, 'text', child). Strings become text nodes. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A fresh random id (128 bits) so that nothing links one visitor or call to the next. */
export function randomId(prefix) {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A JSON data-* attribute of <body>, or the fallback when absent or malformed. */
export function bodyJson(name, fallback) {
  try {
    const raw = document.body.dataset[name];
    return raw ? JSON.parse(raw) : fallback;
  } catch (err) {
    return fallback;
  }
}

const SOURCE_LABELS = { statute: '法律', village_rule: '村规民约', faq: '常见问答' };

/** One citation: its name always visible, the exact source text one tap away. */
export function citationView(hit) {
  const label = hit.source === 'faq' && hit.question ? hit.question : hit.citation;
  return h(
    'details',
    { class: 'citation', dataset: { source: hit.source || '' } },
    h('summary', {}, h('span', { class: 'source-tag' }, SOURCE_LABELS[hit.source] || '出处'), ' ', label),
    h('p', { class: 'source-text' }, hit.text),
    hit.cited && hit.cited.length ? h('p', { class: 'cited' }, `相关法条：${hit.cited.join('；')}`) : null,
  );
}

/** A date-time in the viewer's local time, short. */
export function shortTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getMonth() + 1}月${date.getDate()}日 ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
