import type { Static, TSchema } from 'typebox';

/** A request a peer may send: its data schema, the result it gets, and a line of documentation. */
export interface RequestSpec<D extends TSchema = TSchema, R extends TSchema = TSchema> {
  data: D;
  result: R;
  doc: string;
}
/** A one-way event: no reply. */
export interface EventSpec<D extends TSchema = TSchema> {
  data: D;
  doc: string;
}

export type RequestCatalog = Record<string, RequestSpec>;
export type EventCatalog = Record<string, EventSpec>;

export type RequestData<C extends RequestCatalog, K extends keyof C> = Static<C[K]['data']>;
export type RequestResult<C extends RequestCatalog, K extends keyof C> = Static<C[K]['result']>;
export type EventData<C extends EventCatalog, K extends keyof C> = Static<C[K]['data']>;
