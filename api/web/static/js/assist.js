// Hotline assist: while the agent types or pastes what is said on the call, the whole transcript
// is re-sent (debounced) and the screen shows cited suggestions, reply drafts, the dispute type,
// risk and a case draft. Which drafts and suggestions the agent actually used is recorded
// (POST /v1/assist/feedback), because that is how their usefulness is measured.
import { bodyJson, citationView, h, plainError, randomId } from './api.js';
import { StaffLogin } from './auth.js';

const DEBOUNCE_MS = 400;
// What the API takes (api/schemas/assist.py): a longer line is split, a longer call sends its latest lines.
const MAX_LINE_CHARS = 2000;
const MAX_LINES = 200;
const AGENT_PREFIX = /^\s*(?:坐席|客服|接线员|agent)\s*[:：]\s*/i;
const CALLER_PREFIX = /^\s*(?:来电人?|村民|群众|居民|caller)\s*[:：]\s*/i;
const RISK_LABELS = { none: '无', low: '低', medium: '中', high: '高', emergency: '紧急' };
const disputeTypes = bodyJson('disputeTypes', {});
const handlerRoles = bodyJson('handlerRoles', {});

const $ = (id) => document.getElementById(id);
const FORM_FIELDS = Array.from(document.querySelectorAll('#case-form [data-field]'));

let callId = '';
let lines = [];
let sent = 0; // sequence number of the last request
let timer = 0;
let used = new Set(); // refs already recorded for this call
let draftExtra = {}; // case_draft keys the form has no field for: sent back unchanged
let filed = false;
let emergencyCase = null; // the urgent case the server filed the moment the call turned dangerous

const login = new StaffLogin({
  roles: ['hotline', 'admin'],
  onEnter: () => {
    loadVillages();
    newCall();
  },
  onLeave: () => newCall(),
});

function flash(message, kind = 'info') {
  const el = $('flash');
  el.textContent = message;
  el.className = `flash ${kind}`;
  el.hidden = !message;
}

function failed(err, where) {
  if (err.status === 401) return;
  const { words, detail } = plainError(err);
  flash(`${where}：${words}${detail ? `（${detail}）` : ''}`, 'error');
}

function newCall() {
  callId = randomId('call-');
  lines = [];
  sent += 1; // answers for the previous call are dropped
  clearTimeout(timer);
  used = new Set();
  draftExtra = {};
  filed = false;
  emergencyCase = null;
  $('lines').replaceChildren();
  $('line-text').value = '';
  $('agent-line').checked = false;
  for (const id of ['drafts', 'suggestions', 'meta']) $(id).replaceChildren();
  $('handoff').hidden = true;
  $('risk-banner').hidden = true;
  $('assist-status').textContent = '';
  for (const input of FORM_FIELDS) {
    input.value = '';
    delete input.dataset.edited;
    input.disabled = false;
  }
  $('file-case').disabled = false;
  $('filed').hidden = true;
  $('case-error').textContent = '';
  flash('');
}

/** Each non-empty line of what was typed, with its speaker: a prefix decides, else the toggle. */
function splitLines(raw, agentToggle) {
  const out = [];
  for (const piece of raw.split(/\r?\n/)) {
    let text = piece.trim();
    if (!text) continue;
    let speaker = agentToggle ? 'agent' : 'caller';
    if (AGENT_PREFIX.test(text)) {
      speaker = 'agent';
      text = text.replace(AGENT_PREFIX, '');
    } else if (CALLER_PREFIX.test(text)) {
      speaker = 'caller';
      text = text.replace(CALLER_PREFIX, '');
    }
    for (let at = 0; at < text.length; at += MAX_LINE_CHARS) out.push({ speaker, text: text.slice(at, at + MAX_LINE_CHARS) });
  }
  return out;
}

function addLines(raw) {
  const added = splitLines(raw, $('agent-line').checked);
  if (!added.length) return;
  lines.push(...added);
  for (const line of added) {
    $('lines').append(
      h('li', { class: line.speaker }, h('span', { class: 'who-said' }, line.speaker === 'agent' ? '坐席' : '来电'), line.text),
    );
  }
  $('lines').lastElementChild.scrollIntoView({ block: 'nearest' });
  clearTimeout(timer);
  timer = setTimeout(analyse, DEBOUNCE_MS);
}

async function analyse() {
  if (!lines.length || !login.session) return;
  const mine = ++sent;
  const village = $('village').value;
  $('assist-status').textContent = '正在分析…';
  try {
    const data = await login.call('/v1/assist', {
      body: { call_id: callId, transcript: lines.slice(-MAX_LINES), ...(village ? { village_id: village } : {}) },
    });
    if (mine !== sent) return; // a newer transcript (or a new call) has been sent since
    show(data);
    $('assist-status').textContent = `已更新（${lines.length} 句，${Math.round(data.latency_ms ?? 0)} 毫秒）`;
  } catch (err) {
    if (mine !== sent) return;
    $('assist-status').textContent = '';
    failed(err, '分析失败');
  }
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (err) {
    // Not a secure context (a LAN address over http): the old way still works.
    const area = h('textarea', { class: 'sr-only', readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

async function record(kind, ref, item) {
  item.classList.add('used');
  if (!ref || used.has(`${kind}:${ref}`)) return;
  used.add(`${kind}:${ref}`);
  try {
    await login.call('/v1/assist/feedback', { body: { call_id: callId, kind, ref } });
  } catch (err) {
    used.delete(`${kind}:${ref}`);
    failed(err, '记录使用情况失败');
  }
}

function usedMark(kind, ref) {
  return ref && used.has(`${kind}:${ref}`) ? 'used' : '';
}

/** "high:持刀威胁" → "持刀威胁": the level is shown once, for the whole call. */
function cueLabels(cues) {
  return (cues || []).map((cue) => cue.replace(/^[a-z]+:/, ''));
}

function show(data) {
  const emergency = data.risk_level === 'emergency';
  const high = data.risk_level === 'high';
  const cues = cueLabels(data.risk_cues);
  const said = cues.length ? `（${cues.join('、')}）` : '';
  if (data.emergency_case) emergencyCase = data.emergency_case;
  const banner = $('risk-banner');
  // Once shown, a banner stays for the rest of the call: the level never goes down.
  banner.hidden = !(emergency || high);
  banner.className = `banner banner-${data.risk_level}`;
  if (emergency) {
    const filedNote = emergencyCase
      ? ` 已自动登记紧急案件 ${emergencyCase.case_id}，${emergencyCase.contact_promise}；下面填的信息点“建案”会补到这个案件上。`
      : ' 紧急案件还没登记上，请马上点“建案”。';
    banner.textContent = `红色预警·紧急${said}：先念第一条草稿稳住来电人，让其马上拨打 110，有人受伤或服药拨 120，必要时三方转接。${filedNote}`;
  } else if (high) {
    banner.textContent = `橙色预警·高风险${said}：可能转为刑事案件，请登记案件并转交处理人，2 小时内回访。`;
  } else {
    banner.textContent = '';
  }
  // replaceChildren() would print a null as the text "null": keep only real nodes.
  $('meta').replaceChildren(...[
    h('span', {}, '纠纷类型：', h('strong', {}, data.dispute_type_label || disputeTypes[data.dispute_type] || '未定')),
    h('span', { class: `risk-${data.risk_level}` }, `风险：${RISK_LABELS[data.risk_level] || data.risk_level}`),
    cues.length ? h('span', {}, `风险线索：${cues.join('、')}`) : null,
  ].filter(Boolean));
  showHandoff(data.handoff);
  const draftIds = data.draft_ids || [];
  $('drafts').replaceChildren(
    ...(data.reply_drafts || []).map((text, i) => {
      const ref = draftIds[i];
      const item = h('li', { class: usedMark('draft_used', ref), dataset: { ref: ref || '' } }, h('p', { class: 'draft-text' }, text));
      item.append(
        h('button', {
          type: 'button',
          class: 'use-draft',
          onclick: async () => {
            await copy(text);
            flash('草稿已复制，可直接念给来电人或粘贴。');
            record('draft_used', ref, item);
          },
        }, '用这条'),
      );
      return item;
    }),
  );
  const suggestionIds = data.suggestion_ids || [];
  $('suggestions').replaceChildren(
    ...(data.suggestions || []).map((hit, i) => {
      const ref = suggestionIds[i];
      const item = h('li', { class: usedMark('suggestion_used', ref), dataset: { ref: ref || '' } }, citationView(hit));
      item.append(
        h('button', {
          type: 'button',
          class: 'cite',
          onclick: async () => {
            await copy(`${hit.citation}：${hit.text}`);
            flash(`已引用：${hit.citation}`);
            record('suggestion_used', ref, item);
          },
        }, '引用'),
      );
      return item;
    }),
  );
  prefill(data.case_draft || {});
}

function showHandoff(handoff) {
  const box = $('handoff');
  box.hidden = !handoff;
  if (!handoff) return;
  box.replaceChildren(
    h('strong', {}, `建议转交：${handlerRoles[handoff.handler_role] || handoff.handler_role}`),
    handoff.reason ? ` · ${handoff.reason}` : '',
  );
}

/** Fill the case form from the draft; a field the agent has typed in is theirs and stays. */
function prefill(draft) {
  if (filed) return;
  const known = new Set(FORM_FIELDS.map((input) => input.dataset.field));
  draftExtra = Object.fromEntries(Object.entries(draft).filter(([key]) => !known.has(key)));
  for (const input of FORM_FIELDS) {
    let value = draft[input.dataset.field];
    if (input.dataset.edited || value === null || value === undefined) continue;
    if (input.tagName === 'SELECT' && !disputeTypes[value]) {
      // the draft may carry the label (宅基地) rather than the value (homestead)
      value = Object.keys(disputeTypes).find((key) => disputeTypes[key] === value) || '';
    }
    input.value = String(value);
  }
}

async function fileCase(event) {
  event.preventDefault();
  if (filed) return;
  $('case-error').textContent = '';
  const caseDraft = { ...draftExtra };
  // A village the agent retyped is no longer the one the draft matched.
  if ($('cf-village').dataset.edited) delete caseDraft.village_id;
  for (const input of FORM_FIELDS) {
    const value = input.value.trim();
    if (value) caseDraft[input.dataset.field] = value;
  }
  const village = $('village').value;
  if (!caseDraft.phone && !emergencyCase) {
    $('case-error').textContent = '请先填写来电人的电话，处理人要回电。';
    return;
  }
  $('file-case').disabled = true;
  try {
    const receipt = await login.call('/v1/assist/case', {
      body: { call_id: callId, case_draft: caseDraft, ...(village ? { village_id: village } : {}) },
    });
    filed = true;
    $('filed-number').textContent = receipt.case_id;
    $('filed-promise').textContent = receipt.contact_promise || '';
    $('filed').hidden = false;
    for (const input of FORM_FIELDS) input.disabled = true;
  } catch (err) {
    $('file-case').disabled = false;
    const { words, detail } = plainError(err);
    if (err.status !== 401) $('case-error').textContent = `建案失败：${words}${detail ? `（${detail}）` : ''}`;
  }
}

async function loadVillages() {
  try {
    const response = await fetch('/v1/villages', { headers: { Accept: 'application/json' } });
    if (!response.ok) return;
    const villages = await response.json();
    const select = $('village');
    const keep = select.value;
    select.replaceChildren(h('option', { value: '' }, '（未选）'), ...villages.map((v) => h('option', { value: v.village_id }, v.name)));
    select.value = keep;
  } catch (err) {
    // the list is a convenience; without it the agent types the village in the case form
  }
}

for (const [value, label] of Object.entries(disputeTypes)) $('cf-type').append(h('option', { value }, label));
for (const input of FORM_FIELDS) input.addEventListener('input', () => (input.dataset.edited = 'true'));
$('line-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const raw = $('line-text').value;
  $('line-text').value = '';
  addLines(raw);
});
$('line-text').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $('line-form').requestSubmit();
  }
});
$('village').addEventListener('change', () => {
  clearTimeout(timer);
  timer = setTimeout(analyse, DEBOUNCE_MS);
});
$('new-call').addEventListener('click', newCall);
$('case-form').addEventListener('submit', fileCase);
login.begin();
document.body.dataset.ready = 'true';
