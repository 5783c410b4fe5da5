// Residents' own data: a one-time code to their channel, then a copy or a deletion request (docs/privacy.md).
import { api, h, plainError } from './api.js';

const $ = (id) => document.getElementById(id);
const FIELDS = [
  ['case_id', '案件编号'],
  ['resident_name', '称呼'],
  ['resident_phone', '电话'],
  ['affected_person', '当事人'],
  ['village_name', '村'],
  ['counterparty', '对方'],
  ['description', '事情经过'],
  ['amount', '金额'],
  ['incident_date', '时间'],
  ['filed_at', '登记时间'],
];
let asked = null; // {case_id, phone_last4, purpose}

function flash(message, kind = 'info') {
  $('flash').textContent = message;
  $('flash').className = `flash ${kind}`;
  $('flash').hidden = !message;
}

function failed(err) {
  if (err.status === 404) flash('编号、电话后四位或验证码不对，请核对后再试。', 'error');
  else flash(plainError(err).words, 'error');
}

$('ask-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const purpose = document.querySelector('input[name=purpose]:checked').value;
  asked = { case_id: $('case-id').value.trim().toUpperCase(), phone_last4: $('last4').value.trim(), purpose };
  try {
    const sent = await api('/v1/my-data/code', { body: asked });
    $('sent-to').textContent = sent.sent_via === 'wechat' ? '验证码已发到您的微信，10分钟内有效。' : '验证码已发到您登记的手机，10分钟内有效。';
    $('code-form').hidden = false;
    flash('');
  } catch (err) {
    failed(err);
  }
});

$('code-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const body = { case_id: asked.case_id, phone_last4: asked.phone_last4, code: $('code').value.trim() };
  try {
    if (asked.purpose === 'view') {
      const data = await api('/v1/my-data', { body });
      $('result-title').textContent = '我们登记的您的信息';
      $('fields').replaceChildren(
        ...FIELDS.filter(([key]) => data[key]).flatMap(([key, label]) => [h('dt', {}, label), h('dd', {}, data[key])]),
      );
      $('transcript').replaceChildren(...(data.transcript || []).map((line) => h('li', {}, line.text || '')));
      $('transcript-box').hidden = !(data.transcript || []).length;
    } else {
      const done = await api('/v1/my-data/deletion', { body });
      $('result-title').textContent = done.held
        ? `删除申请已收到。${done.held}，到时工作人员会为您删除。`
        : '删除申请已收到，工作人员核实后会删除您的信息。';
      $('fields').replaceChildren();
      $('transcript-box').hidden = true;
    }
    $('result').hidden = false;
    $('code-form').hidden = true;
    flash('');
  } catch (err) {
    failed(err);
  }
});
document.body.dataset.ready = 'true';
