// Permission names: the relay decides with them (relay/src/trust/roles.ts maps
// roles to them); the console only hides what would be refused. No TypeBox.
export const PERMISSION_NAMES = [
  'calls.answer',
  'calls.read',
  'terminals.read',
  'terminals.manage',
  'users.manage',
  'audit.read',
  // dispatch (issue 13)
  'dispatch.assign',
  'reports.read',
  'responders.manage',
  'responder.self',
  // kiosk updates (issue 10)
  'updates.upload',
  'updates.rollout',
] as const;
export type Permission = (typeof PERMISSION_NAMES)[number];
