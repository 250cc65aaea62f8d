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

/**
 * The handler table a gateway registers for a catalogue: every key must be a
 * request of the catalogue, each handler takes that request's data and
 * returns its result (the compiler checks both; Connection checks the result
 * against the schema again at run time).
 */
export type HandlerTable<C extends RequestCatalog> = {
  [K in keyof C]?: (data: RequestData<C, K>) => RequestResult<C, K> | Promise<RequestResult<C, K>>;
};

/** One event of a catalogue as a discriminated union: `switch (e.type)` narrows `e.data`. */
export type EventUnion<C extends EventCatalog> = { [K in keyof C & string]: { type: K; data: EventData<C, K> } }[keyof C & string];

/** The same as listener arguments: `(type, data) =>` narrows `data` by `type`. */
export type EventArgs<C extends EventCatalog> = { [K in keyof C & string]: [type: K, data: EventData<C, K>] }[keyof C & string];

/** A typed sender of one catalogue's requests (RpcPeer, the kiosk's SignalClient, fakes in tests). */
export interface RequestSender<C extends RequestCatalog> {
  request<K extends keyof C & string>(type: K, data: RequestData<C, K>): Promise<RequestResult<C, K>>;
}
