import type { Migration } from './Migration.ts';
import { migration001 } from './001_initial.ts';
import { migration002 } from './002_trust.ts';
import { migration003 } from './003_duty_desk.ts';
import { migration004 } from './004_health.ts';
import { migration005 } from './005_lookin_kind.ts';
import { migration006 } from './006_district_outbox.ts';
import { migration007 } from './007_hardening.ts';
import { migration008 } from './008_dispatch.ts';
import { migration009 } from './009_kiosk_updates.ts';

export type { Migration } from './Migration.ts';

/** Every migration the code knows, in order. Append only. */
export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007, migration008, migration009];
