// What the officer records when a call is over. One list for the database
// CHECK constraints (migration 003), the REST schema and the console's form.
export const INCIDENT_TYPES = ['medical', 'crime', 'dispute', 'lost_person', 'fire', 'traffic', 'inquiry', 'false_alarm', 'test', 'other'] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

export const OUTCOMES = ['resolved_by_phone', 'officers_dispatched', 'referred', 'no_contact', 'prank', 'other'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const INCIDENT_TYPE_LABELS: Record<IncidentType, { zh: string; en: string }> = {
  medical: { zh: '医疗急救', en: 'Medical' },
  crime: { zh: '违法犯罪', en: 'Crime' },
  dispute: { zh: '纠纷', en: 'Dispute' },
  lost_person: { zh: '走失/迷路', en: 'Lost person' },
  fire: { zh: '火情', en: 'Fire' },
  traffic: { zh: '交通', en: 'Traffic' },
  inquiry: { zh: '咨询求助', en: 'Inquiry' },
  false_alarm: { zh: '误触', en: 'False alarm' },
  test: { zh: '测试', en: 'Test' },
  other: { zh: '其他', en: 'Other' },
};

export const OUTCOME_LABELS: Record<Outcome, { zh: string; en: string }> = {
  resolved_by_phone: { zh: '通话中解决', en: 'Resolved on the call' },
  officers_dispatched: { zh: '已派警', en: 'Officers dispatched' },
  referred: { zh: '转交其他部门', en: 'Referred' },
  no_contact: { zh: '未能联系', en: 'No contact' },
  prank: { zh: '恶意/骚扰', en: 'Prank' },
  other: { zh: '其他', en: 'Other' },
};

export const DISPOSITION_NOTES_MAX = 2000;
