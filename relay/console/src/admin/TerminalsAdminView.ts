import { bi, h, setText } from '../dom.ts';
import { terminalKindLabel } from '../format.ts';
import { adminApi, type Enrolment, type TerminalRecord } from './adminApi.ts';
import { button, field, input, select, time } from './form.ts';

const STATE_LABELS = {
  unenrolled: { zh: '未注册', en: 'Not enrolled' },
  enrolled: { zh: '已注册', en: 'Enrolled' },
  revoked: { zh: '已吊销', en: 'Revoked' },
};

/**
 * Technicians' and admins' terminal screen: the records officers see when a
 * call comes in, one-time enrolment codes for a Pi, and revocation.
 */
export class TerminalsAdminView {
  readonly el: HTMLElement;
  readonly #rows = h('tbody', {});
  readonly #codeBox = h('div', { class: 'admin-code', 'data-testid': 'enrolment-code-box', hidden: true });
  readonly #form: HTMLFormElement;
  readonly #inputs: Record<string, HTMLInputElement | HTMLSelectElement>;
  readonly #formTitle = h('h3', { class: 'admin-subtitle' });
  readonly #onError: (error: unknown) => void;
  #editing: string | null = null;

  constructor(opts: { onError: (error: unknown) => void }) {
    this.#onError = opts.onError;
    const kinds = (['school', 'kindergarten', 'hutong', 'other'] as const).map((k) => [k, terminalKindLabel(k)] as [string, { zh: string; en: string }]);
    this.#inputs = {
      id: input('terminal-id', { placeholder: 'XC-HT-021', required: true }),
      name: input('terminal-name', { required: true }),
      nameEn: input('terminal-name-en'),
      address: input('terminal-address', { required: true }),
      hutong: input('terminal-hutong'),
      kind: select('terminal-kind', kinds),
      latitude: input('terminal-latitude', { inputmode: 'decimal', required: true }),
      longitude: input('terminal-longitude', { inputmode: 'decimal', required: true }),
      notes: input('terminal-notes'),
    };
    const i = this.#inputs;
    this.#form = h(
      'form',
      { class: 'admin-form', 'data-testid': 'terminal-form', novalidate: true },
      this.#formTitle,
      field({ zh: '位置编号', en: 'Location ID' }, i['id']!),
      field({ zh: '名称', en: 'Name' }, i['name']!),
      field({ zh: '英文名称', en: 'Name (English)' }, i['nameEn']!),
      field({ zh: '地址', en: 'Address' }, i['address']!),
      field({ zh: '胡同', en: 'Hutong' }, i['hutong']!),
      field({ zh: '类型', en: 'Kind' }, i['kind']!),
      field({ zh: '纬度', en: 'Latitude' }, i['latitude']!),
      field({ zh: '经度', en: 'Longitude' }, i['longitude']!),
      field({ zh: '安装说明', en: 'Notes' }, i['notes']!),
      h('div', { class: 'admin-actions' }, h('button', { type: 'submit', class: 'btn btn-primary btn-small', 'data-testid': 'terminal-save' }, bi({ zh: '保存', en: 'Save' })), button('terminal-new', { zh: '新建', en: 'New' }, () => this.#edit(null))),
    );
    this.#form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.#save();
    });
    this.el = h(
      'section',
      { class: 'admin-screen', 'data-testid': 'terminals-admin' },
      h('h2', { class: 'admin-title' }, bi({ zh: '终端管理', en: 'Terminals' })),
      this.#codeBox,
      h(
        'div',
        { class: 'admin-split' },
        h('table', { class: 'admin-table' }, h('thead', {}, h('tr', {}, ...['位置编号 ID', '名称 Name', '状态 State', '密钥指纹 Key', ''].map((t) => h('th', {}, t)))), this.#rows),
        this.#form,
      ),
    );
    this.#edit(null);
  }

  async refresh(): Promise<void> {
    try {
      const [terminals, enrolments] = await Promise.all([adminApi.terminals(), adminApi.enrolments()]);
      const state = new Map(enrolments.map((e) => [e.terminalId, e]));
      this.#rows.replaceChildren(...terminals.map((t) => this.#row(t, state.get(t.id))));
    } catch (error) {
      this.#onError(error);
    }
  }

  #row(t: TerminalRecord, e: Enrolment | undefined): HTMLElement {
    const st = e?.state ?? 'unenrolled';
    const reason = input(`revoke-reason-${t.id}`, { placeholder: '吊销原因 reason', hidden: true });
    const confirm = button(`revoke-confirm-${t.id}`, { zh: '确认吊销', en: 'Confirm revoke' }, () => void this.#revoke(t.id, reason.value), 'btn btn-small btn-hangup');
    confirm.hidden = true;
    const actions = h(
      'td',
      { class: 'admin-row-actions' },
      button(`edit-${t.id}`, { zh: '编辑', en: 'Edit' }, () => this.#edit(t)),
      button(`code-${t.id}`, { zh: st === 'unenrolled' ? '生成注册码' : '重新注册', en: st === 'unenrolled' ? 'Enrolment code' : 'Re-enrol' }, () => void this.#code(t.id)),
      st === 'enrolled'
        ? button(`revoke-${t.id}`, { zh: '吊销', en: 'Revoke' }, () => {
            reason.hidden = false;
            confirm.hidden = false;
            reason.focus();
          })
        : null,
      reason,
      confirm,
    );
    return h(
      'tr',
      { 'data-testid': 'terminal-admin-row', 'data-terminal-id': t.id, 'data-state': st },
      h('td', { class: 'mono' }, t.id),
      h('td', {}, t.name, h('div', { class: 'admin-muted' }, t.address)),
      h('td', {}, h('span', { class: `admin-badge admin-badge-${st}` }, bi(STATE_LABELS[st])), e?.pendingCodeExpiresAt ? h('div', { class: 'admin-muted' }, `注册码有效至 code valid until ${time(e.pendingCodeExpiresAt)}`) : null),
      h('td', { class: 'mono admin-muted' }, e?.keyFingerprint ?? '—'),
      actions,
    );
  }

  #edit(t: TerminalRecord | null): void {
    this.#editing = t?.id ?? null;
    setText(this.#formTitle, t ? `编辑 Edit ${t.id}` : '新建终端 New terminal');
    const i = this.#inputs;
    for (const [key, el] of Object.entries(i)) el.value = t ? String(t[key as keyof TerminalRecord] ?? '') : key === 'kind' ? 'hutong' : '';
    // The location ID is painted on the terminal and bound to its key: never edited.
    (i['id'] as HTMLInputElement).disabled = t !== null;
  }

  async #save(): Promise<void> {
    const v = (k: string) => this.#inputs[k]!.value.trim();
    const record = {
      name: v('name'),
      nameEn: v('nameEn'),
      address: v('address'),
      hutong: v('hutong'),
      kind: v('kind'),
      latitude: Number(v('latitude')),
      longitude: Number(v('longitude')),
      notes: v('notes'),
    };
    try {
      if (this.#editing) await adminApi.editTerminal(this.#editing, record);
      else await adminApi.createTerminal({ id: v('id').toUpperCase(), district: '西城区', ...record });
      this.#edit(null);
      await this.refresh();
    } catch (error) {
      this.#onError(error);
    }
  }

  async #code(id: string): Promise<void> {
    try {
      const { code, expiresAt } = await adminApi.enrolmentCode(id);
      // Shown once: the relay keeps only its hash.
      this.#codeBox.replaceChildren(
        h('div', {}, bi({ zh: `${id} 的注册码（只显示一次）`, en: `Enrolment code for ${id} (shown once)` })),
        h('div', { class: 'admin-code-value mono', 'data-testid': 'enrolment-code' }, code),
        h('div', { class: 'admin-muted' }, `helppoint-kiosk enrol --relay ${location.origin} --code ${code}`),
        h('div', { class: 'admin-muted' }, `有效至 valid until ${time(expiresAt)}`),
      );
      this.#codeBox.hidden = false;
      await this.refresh();
    } catch (error) {
      this.#onError(error);
    }
  }

  async #revoke(id: string, reason: string): Promise<void> {
    try {
      await adminApi.revoke(id, reason.trim() || '未填写 not given');
      await this.refresh();
    } catch (error) {
      this.#onError(error);
    }
  }
}
