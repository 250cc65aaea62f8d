import { AppError, ErrorCode, type Permission } from '@helppoint/shared';
import type { UserRole } from '../db/UserRepo.ts';

/**
 * What each role may do. Checked on the server for every route and every
 * console message; the console only uses it to hide what would be refused.
 */
export const PERMISSIONS = {
  /** take, talk on and hang up help calls; see their video */
  'calls.answer': ['officer', 'supervisor', 'admin'],
  /** call history and open calls */
  'calls.read': ['officer', 'supervisor', 'admin'],
  /** the terminal list with online state (fleet health) */
  'terminals.read': ['officer', 'supervisor', 'technician', 'field', 'admin'],
  /** create and edit terminal records, enrolment codes, revoke keys */
  'terminals.manage': ['technician', 'admin'],
  'users.manage': ['admin'],
  'audit.read': ['admin'],
  // dispatch (issue 13): responders only ever get the responder.* permissions,
  // so every desk route refuses them with forbidden.
  /** send on-duty responders to a call; see their status and position (audited) */
  'dispatch.assign': ['officer', 'supervisor', 'admin'],
  /** the response-time report and its CSV */
  'reports.read': ['supervisor', 'admin'],
  /** set responders' unit name and kind */
  'responders.manage': ['admin'],
  /** a responder's own phone page: duty, position, their jobs */
  'responder.self': ['responder'],
  // kiosk updates (issue 10): only an admin brings new firmware onto the relay; a technician may roll it out.
  /** upload kiosk packages (.deb) */
  'updates.upload': ['admin'],
  /** see packages and rollouts; roll a package out to terminals */
  'updates.rollout': ['technician', 'admin'],
} as const satisfies Record<Permission, readonly UserRole[]>;

export type { Permission };

export function may(role: string, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly string[]).includes(role);
}

export function permissionsOf(role: string): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => may(role, p));
}

export function assertMay(user: { role: string }, permission: Permission): void {
  if (!may(user.role, permission)) throw new AppError(ErrorCode.Forbidden, `role ${user.role} may not ${permission}`);
}
