// Staff console: my queue by SLA deadline, one case with its history, notes, transitions, follow-up.
//
// The lifecycle (labels, allowed next statuses) comes from the server in data-workflow, read
// from cases.workflow, so the console offers exactly the transitions the API accepts.
import { bodyJson, citationView, h, plainError, shortTime } from './api.js';
import { StaffLogin } from './auth.js';

const workflow = bodyJson('workflow', { labels: {}, transitions: {}, open: [] });
const disputeTypes = bodyJson('disputeTypes', {});
const handlerRoles = bodyJson('handlerRoles', {});
const RISK_LABELS = { none: '无', low: '低', medium: '中', high: '高', emergency: '紧急' };
const EVENT_LABELS = {
  created: '立案',
  transition: '状态变更',
  note: '备注',
  assigned: '交办',
  escalated: '超时上报',
  contact_added: '补充联系方式',
  deletion_requested: '申请删除个人信息',
  legal_hold: '依法保留',
  erased: '个人信息已删除',
  village_linked: '关联登记村',
};
const CHANNEL_LABELS = { wechat: '微信', kiosk: '自助机', hotline: '热线', web: '网页', console: '工作台' };

const $ = (id) => document.getElementById(id);
const statusLabel = (s) => workflow.labels[s] || s;
let current = null; // the case on screen

const login = new StaffLogin({
  onEnter: () => route(),
  onLeave: () => wipe(),
});

function flash(message, kind = 'info') {
  const el = $('flash');
  el.textContent = message;
  el.className = `flash ${kind}`;
  el.hidden = !message;
}

function failed(err) {
  if (err.status === 401) return; // the login form says why
  const { words, detail } = plainError(err);
  flash(detail ? `${words}（${detail}）` : words, 'error');
}

/** Personal data leaves the screen on logout. */
function wipe() {
  current = null;
  $('queue').replaceChildren();
  $('deletion-list').replaceChildren();
  $('deletions').hidden = true;
  for (const id of ['case-fields', 'case-transcript', 'case-citations', 'history', 'transition-buttons']) {
    $(id).replaceChildren();
  }
  $('case-description').textContent = '';
  $('case-number').textContent = '';
  flash('');
}

function overdue(item) {
  return (
    workflow.open.includes(item.status) &&
    !item.first_contact_at &&
    item.first_contact_due_at &&
    new Date(item.first_contact_due_at).getTime() < Date.now()
  );
}

async function loadQueue() {
  const status = $('status-filter').value;
  const path = status ? `/v1/cases?status=${encodeURIComponent(status)}` : '/v1/cases';
  let data;
  try {
    data = await login.call(path);
  } catch (err) {
    failed(err);
    return;
  }
  const rows = data.cases.map((item) => {
    const late = overdue(item);
    return h(
      'tr',
      { class: late ? 'overdue' : '', dataset: { caseId: item.case_id, status: item.status } },
      h(
        'td',
        { class: 'due' },
        late ? h('strong', { class: 'late-tag' }, '已超时 ') : null,
        item.first_contact_at ? `已联系 ${shortTime(item.first_contact_at)}` : shortTime(item.first_contact_due_at),
      ),
      h('td', {}, h('a', { href: `#case/${encodeURIComponent(item.case_id)}` }, item.case_id)),
      h('td', {}, item.status_label || statusLabel(item.status)),
      h('td', {}, disputeTypes[item.dispute_type] || item.dispute_type),
      h('td', {}, item.village_name || item.village_id || ''),
      h('td', {}, item.resident_name || ''),
      h('td', { class: `risk risk-${item.risk_level}` }, RISK_LABELS[item.risk_level] || item.risk_level),
      h('td', {}, item.assignee || `（待交办·${handlerRoles[item.handler_role] || item.handler_role}）`),
    );
  });
  $('queue').replaceChildren(...rows);
  $('queue-empty').hidden = rows.length > 0;
}

/** Admins: residents' deletion requests; a legal hold (open case, court deadline) is shown, not overridden. */
async function loadDeletions() {
  const box = $('deletions');
  box.hidden = login.session?.role !== 'admin';
  if (box.hidden) return;
  let data;
  try {
    data = await login.call('/v1/deletion-requests');
  } catch (err) {
    failed(err);
    return;
  }
  const rows = data.requests.map((item) =>
    h(
      'tr',
      { dataset: { caseId: item.case_id } },
      h('td', {}, item.case_id),
      h('td', {}, shortTime(item.requested_at)),
      h('td', {}, statusLabel(item.status)),
      h('td', { class: item.held ? 'held' : '' }, item.held || '可以删除'),
      h(
        'td',
        {},
        h('button', { type: 'button', class: 'erase', disabled: Boolean(item.held), onclick: () => erase(item.case_id) }, '删除个人信息'),
      ),
    ),
  );
  $('deletion-list').replaceChildren(...rows);
  $('deletions-empty').hidden = rows.length > 0;
}

async function erase(caseId) {
  if (!window.confirm(`删除案件 ${caseId} 的姓名、电话、经过和对话记录？删除后不能恢复。`)) return;
  try {
    await login.call(`/v1/cases/${encodeURIComponent(caseId)}/erase`, { method: 'POST' });
    flash(`案件 ${caseId} 的个人信息已删除。`);
  } catch (err) {
    failed(err);
  }
  loadDeletions();
}

function field(label, value) {
  if (value === null || value === undefined || value === '') return [];
  return [h('dt', {}, label), h('dd', {}, String(value))];
}

function eventText(event) {
  const d = event.detail || {};
  switch (event.kind) {
    case 'created':
      return `经${CHANNEL_LABELS[d.channel] || d.channel || ''}提交，转${handlerRoles[d.handler_role] || d.handler_role || ''}`;
    case 'transition':
      return `${statusLabel(event.from_status)} → ${statusLabel(event.to_status)}${d.note ? `：${d.note}` : ''}`;
    case 'note':
      return d.text || '';
    case 'assigned':
      return `交给 ${d.assignee || ''}`;
    case 'escalated':
      return `超过联系时限，上报${d.to ? ` ${d.to}` : '乡镇'}`;
    default:
      return Object.keys(d).length ? JSON.stringify(d) : '';
  }
}

function showCase(detail) {
  current = detail;
  $('case-number').textContent = detail.case_id;
  $('case-status').textContent = detail.status_label || statusLabel(detail.status);
  $('case-status').dataset.status = detail.status;
  $('case-masked').hidden = !detail.personal_data_masked;
  const late = overdue(detail);
  $('case-fields').replaceChildren(
    ...field('当事人', detail.resident_name),
    ...field('电话', detail.resident_phone),
    ...field('村', detail.village_name || detail.village_id),
    ...field('纠纷类型', disputeTypes[detail.dispute_type] || detail.dispute_type),
    ...field('对方', detail.counterparty),
    ...field('金额', detail.amount),
    ...field('发生时间', detail.incident_date),
    ...field('风险', `${RISK_LABELS[detail.risk_level] || detail.risk_level}${detail.risk_cues.length ? `（${detail.risk_cues.join('、')}）` : ''}`),
    ...field('承办', `${handlerRoles[detail.handler_role] || detail.handler_role} ${detail.assignee || '（待交办）'}`),
    ...field('来源', CHANNEL_LABELS[detail.channel] || detail.channel),
    ...field('立案时间', shortTime(detail.created_at)),
    ...field('首次联系截止', `${shortTime(detail.first_contact_due_at)}${late ? '（已超时）' : ''}`),
    ...field('首次联系', shortTime(detail.first_contact_at)),
    ...field('满意度', detail.satisfaction ? `${detail.satisfaction} / 5` : ''),
    ...field('回访记录', detail.satisfaction_comment),
  );
  $('case-fields').classList.toggle('overdue', late);
  $('case-description').textContent = detail.description || '';
  $('case-transcript').replaceChildren(
    ...detail.transcript.map((line) =>
      h('li', { class: `line ${line.speaker === 'resident' || line.speaker === 'caller' ? 'resident' : 'them'}` }, line.text || ''),
    ),
  );
  $('case-transcript-box').hidden = detail.transcript.length === 0;
  $('case-citations').replaceChildren(...detail.citations.map(citationView));
  $('case-citations-box').hidden = detail.citations.length === 0;
  $('history').replaceChildren(
    ...detail.history.map((event) =>
      h(
        'li',
        { dataset: { kind: event.kind } },
        h('time', { datetime: event.at }, shortTime(event.at)),
        ' ',
        h('strong', {}, EVENT_LABELS[event.kind] || event.kind),
        ' ',
        h('span', { class: 'actor' }, event.actor),
        h('p', {}, eventText(event)),
      ),
    ),
  );
  const workable = !detail.personal_data_masked;
  $('work').hidden = !workable;
  const next = (workflow.transitions[detail.status] || []).filter((s) => s !== 'closed');
  $('transition-buttons').replaceChildren(
    ...next.map((target) =>
      h('button', { type: 'button', dataset: { to: target }, onclick: () => move(target) }, `改为：${statusLabel(target)}`),
    ),
  );
  $('transition-form').hidden = next.length === 0;
  $('followup-form').hidden = !(workflow.transitions[detail.status] || []).includes('closed');
}

async function openCase(number) {
  $('queue-view').hidden = true;
  $('case-view').hidden = false;
  try {
    showCase(await login.call(`/v1/cases/${encodeURIComponent(number)}`));
  } catch (err) {
    failed(err);
  }
}

async function move(target, extra = {}) {
  if (!current) return;
  const note = $('transition-note').value.trim();
  const body = { to: target, ...extra };
  if (note && target !== 'closed') body.note = note;
  try {
    const updated = await login.call(`/v1/cases/${encodeURIComponent(current.case_id)}/transitions`, { body });
    $('transition-note').value = '';
    flash(`已改为：${statusLabel(updated.status)}`);
    showCase(updated);
  } catch (err) {
    failed(err);
  }
}

$('followup-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const chosen = document.querySelector('input[name=satisfaction]:checked');
  if (!chosen) {
    flash('办结前请先回访，选一个满意度（1–5）。', 'error');
    return;
  }
  const comment = $('followup-comment').value.trim();
  move('closed', { satisfaction: Number(chosen.value), ...(comment ? { comment } : {}) }).then(() => {
    if (current && current.status === 'closed') {
      $('followup-comment').value = '';
      chosen.checked = false;
    }
  });
});

$('note-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('note-text').value.trim();
  if (!current || !text) {
    flash('备注不能为空。', 'error');
    return;
  }
  try {
    await login.call(`/v1/cases/${encodeURIComponent(current.case_id)}/notes`, { body: { text } });
    $('note-text').value = '';
    flash('备注已保存。');
    showCase(await login.call(`/v1/cases/${encodeURIComponent(current.case_id)}`));
  } catch (err) {
    failed(err);
  }
});

function route() {
  if (!login.session) return;
  flash('');
  const match = /^#case\/(.+)$/.exec(window.location.hash);
  if (match) {
    openCase(decodeURIComponent(match[1]));
  } else {
    current = null;
    $('case-view').hidden = true;
    $('queue-view').hidden = false;
    loadQueue();
    loadDeletions();
  }
}

for (const [status, label] of Object.entries(workflow.labels)) {
  $('status-filter').append(h('option', { value: status }, label));
}
$('status-filter').addEventListener('change', loadQueue);
$('refresh').addEventListener('click', loadQueue);
$('back').addEventListener('click', (event) => {
  event.preventDefault();
  window.location.hash = '';
});
window.addEventListener('hashchange', route);
login.begin();
document.body.dataset.ready = 'true';
