import { bi, h } from '../dom.ts';
import { terminalKindLabel, type Bilingual } from '../format.ts';
import { adminApi, type TerminalRecord } from '../admin/adminApi.ts';
import { button, field, select, time } from '../admin/form.ts';
import { ROLLOUT_LABELS, rolloutIsBad } from './rolloutLabel.ts';
import { updatesApi, type KioskPackage, type Rollout } from './updatesApi.ts';

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
/** While the page is open, rollouts move on their own (downloads, installs): look again this often. */
const POLL_MS = 5_000;

/**
 * Kiosk updates: an admin uploads a package; an admin or technician picks
 * terminals (one to try first, then a group: by kind, district or all) and
 * rolls a version out; each terminal's rollout state follows what it
 * reports. The terminal's own version and last update stay on the fleet
 * page, linked from each row.
 */
export class UpdatesView {
  readonly el: HTMLElement;
  readonly #onError: (error: unknown) => void;
  readonly #onDone: (message: Bilingual) => void;
  readonly #packages = h('tbody', {});
  readonly #terminals = h('tbody', {});
  readonly #choose: HTMLSelectElement;
  readonly #upload: HTMLElement;
  readonly #file: HTMLInputElement;
  readonly #groups = h('div', { class: 'admin-actions' });
  readonly #selected = new Set<string>();
  #terminalList: TerminalRecord[] = [];
  #polling = false;

  constructor(opts: { onError: (error: unknown) => void; onDone: (message: Bilingual) => void }) {
    this.#onError = opts.onError;
    this.#onDone = opts.onDone;
    this.#file = h('input', { type: 'file', name: 'package-file', 'data-testid': 'package-file', accept: '.deb,application/vnd.debian.binary-package' });
    const send = h('button', { type: 'submit', class: 'btn btn-primary btn-small', 'data-testid': 'package-upload' }, bi({ zh: '上传', en: 'Upload' }));
    const form = h(
      'form',
      { class: 'admin-form', 'data-testid': 'package-form' },
      h('h3', { class: 'admin-subtitle' }, bi({ zh: '上传终端软件包（.deb）', en: 'Upload a kiosk package (.deb)' })),
      field({ zh: '软件包文件', en: 'Package file' }, this.#file),
      h('div', { class: 'admin-actions' }, send),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const file = this.#file.files?.[0];
      if (!file) return;
      send.disabled = true;
      void (async () => {
        try {
          const saved = await updatesApi.upload(file);
          this.#onDone(saved.created ? { zh: `已上传 ${saved.package.version}（${saved.package.architecture}）`, en: `Uploaded ${saved.package.version} (${saved.package.architecture})` } : { zh: '该软件包已存在', en: 'That package is already on the relay' });
          form.reset();
          await this.refresh();
        } catch (error) {
          this.#onError(error);
        } finally {
          send.disabled = false;
        }
      })();
    });
    this.#upload = form;
    this.#choose = select('rollout-package', []);
    const roll = button('rollout-start', { zh: '向所选终端升级', en: 'Roll out to the selected terminals' }, () => void this.#rollOut(), 'btn btn-primary btn-small');
    this.el = h(
      'section',
      { class: 'admin-screen', 'data-testid': 'updates-admin' },
      h('h2', { class: 'admin-title' }, bi({ zh: '终端升级', en: 'Kiosk updates' })),
      h('p', { class: 'admin-muted' }, bi({ zh: '终端只在空闲时安装；若新版本未能重新连接并通过自检，会自动回滚到原版本。建议先升级一台，再升级一组。', en: 'A terminal installs only while idle; if the new version does not reconnect and pass its self-test it rolls back by itself. Try one terminal first, then a group.' })),
      h('div', { class: 'admin-split' }, h('table', { class: 'admin-table' }, h('thead', {}, h('tr', {}, ...['版本 Version', '架构 Arch', '大小 Size', '上传者 Uploaded by', '上传时间 Uploaded at'].map((t) => h('th', {}, t)))), this.#packages), form),
      h('h3', { class: 'admin-subtitle' }, bi({ zh: '升级', en: 'Roll out' })),
      h('div', { class: 'admin-actions' }, field({ zh: '版本', en: 'Version' }, this.#choose), roll),
      this.#groups,
      h('table', { class: 'admin-table', 'data-testid': 'rollout-table' }, h('thead', {}, h('tr', {}, ...['', '终端 Terminal', '类型 Kind', '辖区 District', '升级版本 Version', '升级状态 Rollout', '更新时间 Updated', ''].map((t) => h('th', {}, t)))), this.#terminals),
    );
  }

  async refresh(): Promise<void> {
    if (!this.#polling) {
      this.#polling = true;
      setInterval(() => {
        // Only while the page is on screen.
        if (this.el.offsetParent !== null) void this.#load(false);
      }, POLL_MS);
    }
    await this.#load(true);
  }

  async #load(withTerminals: boolean): Promise<void> {
    try {
      const [packages, rollouts, permissions] = await Promise.all([updatesApi.packages(), updatesApi.rollouts(), withTerminals ? adminApi.permissions() : null]);
      if (withTerminals) {
        this.#terminalList = await adminApi.terminals();
        this.#upload.hidden = !permissions?.includes('updates.upload');
        this.#renderGroups();
      }
      this.#renderPackages(packages);
      const byTerminal = new Map(rollouts.map((r) => [r.terminalId, r]));
      this.#terminals.replaceChildren(...this.#terminalList.map((t) => this.#row(t, byTerminal.get(t.id))));
    } catch (error) {
      this.#onError(error);
    }
  }

  #renderPackages(packages: KioskPackage[]): void {
    const chosen = this.#choose.value;
    this.#packages.replaceChildren(
      ...packages.map((p) =>
        h(
          'tr',
          { 'data-testid': 'package-row', 'data-version': p.version },
          h('td', { class: 'mono' }, p.version),
          h('td', { class: 'mono' }, p.architecture),
          h('td', {}, mib(p.size)),
          h('td', {}, p.uploadedBy),
          h('td', { class: 'admin-muted' }, time(p.uploadedAt)),
        ),
      ),
    );
    this.#choose.replaceChildren(...packages.map((p) => h('option', { value: p.sha256 }, `${p.version} (${p.architecture})`)));
    if (packages.some((p) => p.sha256 === chosen)) this.#choose.value = chosen;
  }

  /** Quick selections for a group: all terminals, or all of one kind or district. */
  #renderGroups(): void {
    const pick = (label: Bilingual, testId: string, match: (t: TerminalRecord) => boolean) =>
      button(testId, label, () => {
        for (const t of this.#terminalList) if (match(t)) this.#selected.add(t.id);
        void this.#load(false);
      });
    const kinds = [...new Set(this.#terminalList.map((t) => t.kind))];
    const districts = [...new Set(this.#terminalList.map((t) => t.district))];
    this.#groups.replaceChildren(
      pick({ zh: '全选', en: 'Select all' }, 'select-all', () => true),
      ...kinds.map((k) => pick({ zh: `选中全部${terminalKindLabel(k).zh}`, en: `All ${terminalKindLabel(k).en}` }, `select-kind-${k}`, (t) => t.kind === k)),
      ...districts.map((d) => pick({ zh: `选中${d}`, en: `All in ${d}` }, `select-district-${d}`, (t) => t.district === d)),
      button('select-none', { zh: '清除选择', en: 'Clear selection' }, () => {
        this.#selected.clear();
        void this.#load(false);
      }),
    );
  }

  #row(t: TerminalRecord, r: Rollout | undefined): HTMLElement {
    const box = h('input', { type: 'checkbox', 'data-testid': `rollout-pick-${t.id}`, checked: this.#selected.has(t.id) });
    box.addEventListener('change', () => (box.checked ? this.#selected.add(t.id) : this.#selected.delete(t.id)));
    return h(
      'tr',
      { 'data-testid': 'rollout-row', 'data-terminal': t.id, 'data-state': r?.state ?? '' },
      h('td', {}, box),
      h('td', {}, h('div', { class: 'mono' }, t.id), h('div', { class: 'admin-muted' }, t.name)),
      h('td', {}, bi(terminalKindLabel(t.kind))),
      h('td', {}, t.district),
      h('td', { class: 'mono' }, r ? r.version : '—'),
      h('td', { title: r?.reason ?? '' }, r ? h('span', { class: `admin-badge ${rolloutIsBad(r) ? 'admin-badge-revoked' : r.state === 'updated' ? 'admin-badge-enrolled' : ''}` }, bi(ROLLOUT_LABELS[r.state])) : '—', r?.reason ? h('div', { class: 'admin-muted' }, r.reason) : null),
      h('td', { class: 'admin-muted' }, time(r?.updatedAt ?? null)),
      // The terminal's running version and its own last update report live on the fleet page.
      h('td', {}, h('a', { href: `#/fleet/${encodeURIComponent(t.id)}` }, bi({ zh: '终端状态', en: 'Fleet' }))),
    );
  }

  async #rollOut(): Promise<void> {
    const sha256 = this.#choose.value;
    const ids = this.#terminalList.map((t) => t.id).filter((id) => this.#selected.has(id));
    if (!sha256 || ids.length === 0) {
      this.#onDone({ zh: '请先选择版本和终端', en: 'Choose a version and terminals first' });
      return;
    }
    try {
      const rows = await updatesApi.rollOut(sha256, ids);
      this.#onDone({ zh: `已向 ${rows.length} 台终端下发升级`, en: `Rolled out to ${rows.length} terminal(s)` });
      this.#selected.clear();
      await this.#load(false);
    } catch (error) {
      this.#onError(error);
    }
  }
}
