// The console's one navigation: every page, what it needs, and where each role lands.
// Pure (no DOM) so the per-role tab lists are unit-tested.
import type { Permission } from './admin/adminApi.ts';
import type { IconName } from './icons.ts';

export const PAGES = ['desk', 'map', 'history', 'report', 'fleet', 'terminals', 'updates', 'accounts', 'audit', 'password'] as const;
export type Page = (typeof PAGES)[number];

export interface Tab {
  page: Page;
  zh: string;
  en: string;
  icon: IconName | null;
  /** The relay permission the page needs (null: every signed-in user). */
  needs: Permission | null;
}

export const TABS: readonly Tab[] = [
  { page: 'desk', zh: '值班台', en: 'Duty desk', icon: 'bell', needs: 'calls.answer' },
  // The map and the history are duty-desk pages: they show the calls.
  { page: 'map', zh: '地图', en: 'Map', icon: 'map', needs: 'calls.read' },
  { page: 'history', zh: '呼叫记录', en: 'Call history', icon: 'history', needs: 'calls.read' },
  { page: 'report', zh: '响应时间', en: 'Response times', icon: null, needs: 'reports.read' },
  { page: 'fleet', zh: '终端状态', en: 'Fleet', icon: null, needs: 'terminals.read' },
  { page: 'terminals', zh: '终端管理', en: 'Terminals', icon: null, needs: 'terminals.manage' },
  { page: 'updates', zh: '终端升级', en: 'Updates', icon: null, needs: 'updates.rollout' },
  { page: 'accounts', zh: '账号', en: 'Accounts', icon: null, needs: 'users.manage' },
  { page: 'audit', zh: '审计日志', en: 'Audit log', icon: null, needs: 'audit.read' },
  { page: 'password', zh: '修改密码', en: 'Password', icon: null, needs: null },
];

export function visibleTabs(permissions: readonly string[]): Tab[] {
  return TABS.filter((t) => t.needs === null || permissions.includes(t.needs));
}

/** `#/fleet/XC-HT-003` → fleet; an address naming no page → null. */
export function pageFromHash(hash: string): Page | null {
  const m = /^#\/([a-z]+)(?:\/|$)/.exec(hash);
  const page = m?.[1];
  return page !== undefined && (PAGES as readonly string[]).includes(page) ? (page as Page) : null;
}

/**
 * Where a user lands: the page the address names if they may open it, else
 * officers on the desk, technicians on terminal management (enrolment and
 * records are their work; the fleet page is one tab away), field staff on
 * the fleet page.
 */
export function landingPage(permissions: readonly string[], hash: string): Page {
  const allowed = new Set(visibleTabs(permissions).map((t) => t.page));
  const asked = pageFromHash(hash);
  if (asked && allowed.has(asked)) return asked;
  return (['desk', 'terminals', 'fleet'] as const).find((p) => allowed.has(p)) ?? 'password';
}
