// Staff login shared by the console and the hotline assist page.
//
// The token lives in sessionStorage: it survives a reload but not closing the tab, and a
// shared office computer does not keep one staff member logged in for the next. Any 401
// (expired, disabled account, role changed) sends the page back to the login form.
import { ApiError, api, plainError } from './api.js';

const KEY = 'cunfa.staff';
export const ROLE_LABELS = { admin: '管理员', lawyer: '律师', mediator: '调解员', grid_worker: '网格员', hotline: '热线坐席' };

const $ = (id) => document.getElementById(id);

/** The stored login, or null when absent, unreadable or past its expiry. */
export function storedSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    if (saved && saved.token && saved.expiresAt > Date.now()) return saved;
  } catch (err) {
    // unreadable: treated as logged out
  }
  sessionStorage.removeItem(KEY);
  return null;
}

/**
 * Wires the login form (#login, #login-form, #login-username, #login-password, #login-error),
 * the header (#who, #logout) and the app container (#app).
 * onEnter(session) runs after each login; onLeave() when the page goes back to the login form.
 */
export class StaffLogin {
  constructor({ roles, onEnter, onLeave }) {
    this.roles = roles || null;
    this.onEnter = onEnter;
    this.onLeave = onLeave || (() => {});
    this.session = null;
    this.expiryTimer = 0;
    $('login-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    $('logout').addEventListener('click', () => this.leave(''));
  }

  begin() {
    const saved = storedSession();
    if (saved) this.enter(saved);
    else this.leave('');
  }

  async submit() {
    const username = $('login-username').value.trim();
    const password = $('login-password').value;
    const error = $('login-error');
    error.textContent = '';
    if (!username || !password) {
      error.textContent = '请填写用户名和密码。';
      return;
    }
    const button = $('login-form').querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const data = await api('/v1/auth/token', { body: { username, password } });
      const session = {
        token: data.access_token,
        role: data.role,
        username,
        expiresAt: Date.now() + data.expires_in * 1000,
      };
      sessionStorage.setItem(KEY, JSON.stringify(session));
      $('login-password').value = '';
      this.enter(session);
    } catch (err) {
      error.textContent = err.status === 401 ? '用户名或密码不对。' : plainError(err).words;
    } finally {
      button.disabled = false;
    }
  }

  enter(session) {
    if (this.roles && !this.roles.includes(session.role)) {
      this.leave(`「${ROLE_LABELS[session.role] || session.role}」账号不能使用这个页面，请换热线坐席或管理员账号登录。`);
      return;
    }
    this.session = session;
    $('login').hidden = true;
    $('app').hidden = false;
    $('who').textContent = `${session.username}（${ROLE_LABELS[session.role] || session.role}）`;
    $('logout').hidden = false;
    clearTimeout(this.expiryTimer);
    this.expiryTimer = setTimeout(() => this.leave('登录已过期，请重新登录。'), session.expiresAt - Date.now());
    this.onEnter(session);
  }

  leave(message) {
    sessionStorage.removeItem(KEY);
    clearTimeout(this.expiryTimer);
    const wasIn = this.session !== null;
    this.session = null;
    $('app').hidden = true;
    $('login').hidden = false;
    $('who').textContent = '';
    $('logout').hidden = true;
    $('login-error').textContent = message;
    if (wasIn) this.onLeave();
    $('login-username').focus();
  }

  /** An API call with the token; a 401 ends the session and shows the login form, then rethrows. */
  async call(path, options = {}) {
    if (!this.session) throw new ApiError(401, 'unauthorized', '需要登录');
    try {
      return await api(path, { ...options, token: this.session.token });
    } catch (err) {
      if (err.status === 401) this.leave('登录已过期或账号有变动，请重新登录。');
      throw err;
    }
  }
}
