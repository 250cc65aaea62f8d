import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import Value from 'typebox/value';

/**
 * A route validator that checks with TypeBox itself rather than fastify's
 * default Ajv set-up, which silently strips unknown properties and coerces
 * types: here an unknown field or a string where a boolean belongs is a 400
 * (bad_request), not something quietly dropped. Query strings are text on the
 * wire, so only they are converted (e.g. "12" → 12) before the check.
 */
export const strictSchema: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  return (data: unknown) => {
    const value = httpPart === 'querystring' || httpPart === 'params' ? Value.Convert(schema, data) : data;
    if (check.Check(value)) return { value };
    const first = [...check.Errors(value)][0] as { instancePath?: string; message?: string } | undefined;
    const where = first?.instancePath ? `${httpPart}${first.instancePath}` : (httpPart ?? 'request');
    return { error: Object.assign(new Error(`${where}: ${first?.message ?? 'does not match the schema'}`), { statusCode: 400 }) };
  };
};
