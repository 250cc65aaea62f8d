import type { UpdateReport } from '@helppoint/shared';

/** The fleet page's words for a terminal's last update (Chinese first, English second). */
const LABEL: Record<UpdateReport['state'], string> = {
  waiting_idle: '等待通话结束 Waiting for the call to end',
  installing: '正在安装 Installing',
  confirming: '正在确认 Confirming',
  updated: '已更新 Updated',
  rolled_back: '已回滚 Rolled back',
  failed: '更新失败 Update failed',
};

export function updateLabel(u: UpdateReport | undefined): { text: string; title: string; bad: boolean } | null {
  if (!u) return null;
  const failed = u.failedVersion ? ` ${u.failedVersion}` : '';
  return { text: `${LABEL[u.state]}${failed}`, title: u.reason ?? '', bad: u.state === 'rolled_back' || u.state === 'failed' };
}
