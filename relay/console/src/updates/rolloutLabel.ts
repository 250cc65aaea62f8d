import type { RolloutView } from '@helppoint/shared/types';
import type { Bilingual } from '../format.ts';

/** A terminal's rollout as the updates page says it (Chinese first, English second). */
export const ROLLOUT_LABELS: Record<RolloutView['state'], Bilingual> = {
  pending: { zh: '等待终端上线', en: 'Waiting for the terminal to come online' },
  offered: { zh: '已下发', en: 'Offered' },
  downloading: { zh: '正在下载', en: 'Downloading' },
  downloaded: { zh: '已下载，待安装', en: 'Downloaded, to be installed' },
  waiting_idle: { zh: '等待通话结束', en: 'Waiting for the call to end' },
  installing: { zh: '正在安装', en: 'Installing' },
  confirming: { zh: '正在确认', en: 'Confirming' },
  updated: { zh: '已更新', en: 'Updated' },
  rolled_back: { zh: '已回滚', en: 'Rolled back' },
  failed: { zh: '更新失败', en: 'Failed' },
  superseded: { zh: '已被新的升级取代', en: 'Superseded' },
};

export const rolloutIsBad = (r: RolloutView) => r.state === 'failed' || r.state === 'rolled_back';
