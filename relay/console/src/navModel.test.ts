import { describe, expect, it } from 'vitest';
import { landingPage, pageFromHash, visibleTabs } from './navModel.ts';

// What GET /api/me returns per role (relay/src/trust/roles.ts).
const PERMS: Record<string, string[]> = {
  officer: ['calls.answer', 'calls.read', 'terminals.read'],
  technician: ['terminals.read', 'terminals.manage', 'updates.rollout'],
  field: ['terminals.read'],
  admin: ['calls.answer', 'calls.read', 'terminals.read', 'terminals.manage', 'users.manage', 'audit.read', 'updates.upload', 'updates.rollout'],
};
const tabs = (role: string) => visibleTabs(PERMS[role]!).map((t) => t.page);

describe('console navigation', () => {
  it('shows each role only the pages its permissions allow', () => {
    expect(tabs('officer')).toEqual(['desk', 'map', 'history', 'fleet', 'password']);
    expect(tabs('technician')).toEqual(['fleet', 'terminals', 'updates', 'password']);
    expect(tabs('field')).toEqual(['fleet', 'password']);
    expect(tabs('admin')).toEqual(['desk', 'map', 'history', 'fleet', 'terminals', 'updates', 'accounts', 'audit', 'password']);
    expect(visibleTabs([]).map((t) => t.page)).toEqual(['password']);
  });

  it('lands officers on the desk, technicians on terminals, field staff on the fleet page', () => {
    expect(landingPage(PERMS['officer']!, '')).toBe('desk');
    expect(landingPage(PERMS['admin']!, '')).toBe('desk');
    expect(landingPage(PERMS['technician']!, '')).toBe('terminals');
    expect(landingPage(PERMS['field']!, '')).toBe('fleet');
    expect(landingPage([], '')).toBe('password');
  });

  it('follows the address only to a page the role may open', () => {
    expect(landingPage(PERMS['officer']!, '#/fleet/XC-HT-003')).toBe('fleet');
    expect(landingPage(PERMS['officer']!, '#/map')).toBe('map');
    expect(landingPage(PERMS['field']!, '#/accounts')).toBe('fleet');
    expect(landingPage(PERMS['field']!, '#/desk')).toBe('fleet');
    expect(pageFromHash('#/nope')).toBeNull();
    expect(pageFromHash('#/fleetx')).toBeNull();
    expect(pageFromHash('#fleet')).toBeNull();
    expect(pageFromHash('#/history')).toBe('history');
  });
});
