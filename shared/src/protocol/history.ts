import Type, { type Static } from 'typebox';
import { DISPOSITION_NOTES_MAX, INCIDENT_TYPES, OUTCOMES } from '../disposition.ts';
import { CallViewKind, EndReasonSchema, LocationId, literals } from './common.ts';

export const IncidentTypeSchema = literals(INCIDENT_TYPES);
export const OutcomeSchema = literals(OUTCOMES);

/** POST /api/calls/:id/disposition */
export const DispositionBody = Type.Object(
  {
    incidentType: IncidentTypeSchema,
    outcome: OutcomeSchema,
    notes: Type.String({ maxLength: DISPOSITION_NOTES_MAX }),
    dispatched: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type DispositionBody = Static<typeof DispositionBody>;

/** GET /api/calls: the call history search. Times are ms since the epoch; `to` is exclusive. */
export const CallSearchQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    terminalId: Type.Optional(LocationId),
    officerId: Type.Optional(Type.Integer({ minimum: 1 })),
    from: Type.Optional(Type.Integer({ minimum: 0 })),
    to: Type.Optional(Type.Integer({ minimum: 0 })),
    endReason: Type.Optional(EndReasonSchema),
    outcome: Type.Optional(OutcomeSchema),
    kind: Type.Optional(CallViewKind),
  },
  { additionalProperties: false },
);
export type CallSearchQuery = Static<typeof CallSearchQuery>;
