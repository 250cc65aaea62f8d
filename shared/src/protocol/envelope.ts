import Type, { type Static } from 'typebox';
import { ErrorBody } from './common.ts';

/**
 * Every frame is one JSON object. A frame with an `id` is a request and gets
 * exactly one response with the same id; a frame without one is an event.
 */
export const RequestFrame = Type.Object({
  id: Type.Integer({ minimum: 0, maximum: 2 ** 31 }),
  type: Type.String({ maxLength: 64 }),
  data: Type.Optional(Type.Unknown()),
});
export type RequestFrame = Static<typeof RequestFrame>;

export const EventFrame = Type.Object({
  type: Type.String({ maxLength: 64 }),
  data: Type.Optional(Type.Unknown()),
});
export type EventFrame = Static<typeof EventFrame>;

export const OkResponse = Type.Object({ id: Type.Integer(), ok: Type.Literal(true), data: Type.Unknown() });
export const ErrorResponse = Type.Object({ id: Type.Union([Type.Integer(), Type.Null()]), ok: Type.Literal(false), error: ErrorBody });
export type OkResponse = Static<typeof OkResponse>;
export type ErrorResponse = Static<typeof ErrorResponse>;
export type ResponseFrame = OkResponse | ErrorResponse;
