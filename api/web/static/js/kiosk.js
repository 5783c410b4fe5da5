// The shared touch screen in the village service hall.
//
// Privacy decides the shape of this page: every visitor gets a fresh random user id, and
// "clear" or a few minutes without a touch throw the conversation away (DOM and id), so the
// next villager never sees the last one's words. A late answer to a cleared conversation is
// dropped, not shown to the next person.
import { api, citationView, h, plainError, randomId } from './api.js';

const body = document.body;
const villageId = body.dataset.villageId || null;
const idleResetS = Math.max(2, Number(body.dataset.idleResetS) || 120);
// Warn a little before clearing, so someone still reading can keep the answer.
const warnS = Math.min(15, Math.floor(idleResetS / 4));
const scrolling = window.matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth';

const $ = (id) => document.getElementById(id);
const conversation = $('conversation');
const form = $('ask');
const input = $('text');
const caseBox = $('case');
const emergency = $('emergency');
const idleWarning = $('idle-warning');

let userId = '';
let generation = 0; // bumped on every clear; answers for an older generation are dropped
let busy = false;
let lastActivity = Date.now();

function newVisitor() {
  userId = randomId('kiosk-');
  generation += 1;
}

function setBusy(value) {
  busy = value;
  body.classList.toggle('busy', value);
  for (const button of document.querySelectorAll('#topics button, #ask button, .choices button')) {
    button.disabled = value;
  }
}

function show(el) {
  conversation.append(el);
  el.scrollIntoView({ block: 'start', behavior: scrolling });
  return el;
}

function replyView(reply, danger) {
  return h(
    'article',
    { class: danger ? 'bubble bot danger' : 'bubble bot' },
    h('p', { class: 'text' }, reply.text),
    reply.citations && reply.citations.length
      ? h('div', { class: 'citations' }, h('p', { class: 'cite-head' }, '依据（点开看原文）：'), reply.citations.map(citationView))
      : null,
    reply.buttons && reply.buttons.length
      ? h(
          'div',
          { class: 'choices' },
          reply.buttons.map((b) => h('button', { type: 'button', onclick: () => send(b.payload, b.title) }, b.title)),
        )
      : null,
  );
}

function showCase(found) {
  $('case-number').textContent = found.case_id;
  $('case-promise').textContent = found.contact_promise || '';
  caseBox.hidden = false;
}

function render(data) {
  const danger = data.risk_level === 'emergency';
  if (danger) emergency.hidden = false;
  const replies = data.replies && data.replies.length ? data.replies : [{ text: '没听明白，请换个说法再问一次。' }];
  let top = null;
  for (const reply of replies) {
    const el = replyView(reply, danger);
    conversation.append(el);
    top = top || el;
  }
  if (data.degraded) conversation.append(h('p', { class: 'degraded' }, '助手部分功能暂时不可用，上面的回答是简化版。'));
  if (data.case && data.case.case_id) showCase(data.case);
  top.scrollIntoView({ block: 'start', behavior: scrolling });
}

async function send(text, shown, topic) {
  const said = (text || '').trim();
  if (busy || !said) return;
  const mine = generation;
  setBusy(true);
  $('welcome').hidden = true;
  show(h('p', { class: 'bubble user' }, shown || said));
  const waiting = show(h('p', { class: 'bubble bot waiting' }, '正在查找，请稍等…'));
  try {
    const data = await api('/v1/chat', {
      body: { user_id: userId, text: said, village_id: villageId, channel: 'kiosk', topic: topic || null },
    });
    if (mine !== generation) return;
    waiting.remove();
    render(data);
  } catch (err) {
    if (mine !== generation) return;
    waiting.remove();
    const { words, detail } = plainError(err);
    show(h('article', { class: 'bubble error', role: 'alert' }, h('p', {}, words), detail ? h('p', { class: 'detail' }, detail) : null));
  } finally {
    if (mine === generation) {
      setBusy(false);
      lastActivity = Date.now(); // the answer just arrived: give the visitor the full time to read it
    }
  }
}

function clearAll() {
  newVisitor();
  conversation.replaceChildren();
  $('case-number').textContent = '';
  $('case-promise').textContent = '';
  caseBox.hidden = true;
  emergency.hidden = true;
  idleWarning.hidden = true;
  $('welcome').hidden = false;
  input.value = '';
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  setBusy(false);
  window.scrollTo(0, 0);
  lastActivity = Date.now();
}

function inUse() {
  return conversation.childElementCount > 0 || input.value !== '' || !caseBox.hidden || !emergency.hidden;
}

function tick() {
  if (!inUse() || busy) {
    idleWarning.hidden = true;
    return;
  }
  const left = idleResetS - (Date.now() - lastActivity) / 1000;
  if (left <= 0) {
    clearAll();
  } else if (left <= warnS) {
    $('idle-count').textContent = String(Math.ceil(left));
    idleWarning.hidden = false;
  } else {
    idleWarning.hidden = true;
  }
}

function touched() {
  lastActivity = Date.now();
  idleWarning.hidden = true;
}

$('village').textContent = body.dataset.villageName || '';
for (const button of document.querySelectorAll('#topics button')) {
  button.addEventListener('click', () => send(button.dataset.ask, null, button.dataset.topic));
}
form.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = input.value;
  input.value = '';
  send(text);
});
$('clear').addEventListener('click', clearAll);
$('idle-stay').addEventListener('click', touched);
for (const kind of ['pointerdown', 'keydown', 'input', 'wheel', 'touchstart']) {
  document.addEventListener(kind, touched, { capture: true, passive: true });
}
newVisitor();
setInterval(tick, 250);
body.dataset.ready = 'true';
