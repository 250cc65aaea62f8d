import type { DispatchStatus, ResponderKind } from '@helppoint/shared/types';
import type { Bilingual } from '../format.ts';

export const KIND_LABELS: Record<ResponderKind, Bilingual> = {
  community_police: { zh: '社区民警', en: 'Community police' },
  patrol: { zh: '巡逻', en: 'Patrol' },
  guard: { zh: '保安', en: 'Guard' },
  volunteer: { zh: '志愿者', en: 'Volunteer' },
};

export const STATUS_LABELS: Record<DispatchStatus | 'free', Bilingual> = {
  free: { zh: '空闲', en: 'Free' },
  assigned: { zh: '已派单', en: 'Assigned' },
  accepted: { zh: '已接单', en: 'Accepted' },
  en_route: { zh: '在途', en: 'En route' },
  on_scene: { zh: '已到场', en: 'On scene' },
  done: { zh: '已完成', en: 'Done' },
  refused: { zh: '已拒绝', en: 'Refused' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
};

export function formatMetres(m: number | null): string {
  if (m === null) return '—';
  return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`;
}

export function formatAge(ms: number | null): Bilingual {
  if (ms === null) return { zh: '无位置', en: 'no position' };
  const s = Math.round(ms / 1000);
  if (s < 60) return { zh: `${s}秒前`, en: `${s}s ago` };
  const m = Math.round(s / 60);
  return { zh: `${m}分钟前`, en: `${m} min ago` };
}
