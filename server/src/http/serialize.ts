/**
 * A response serializer for large bodies: JSON.stringify, keeping only the properties the
 * route's response schema names. Fastify's default (fast-json-stringify) escapes every string
 * in a JavaScript loop and checks each anyOf branch with ajv; on a 100 000-entry listing that
 * took ~4× the CPU of V8's native JSON.stringify (≈ 350 ms against ≈ 85 ms).
 *
 * What it gives up: fast-json-stringify coerces a value to its schema type and fails on a
 * missing required property; this writes the values as they are. Use it where the body is
 * built by our own code to the schema's shape (a listing), not on arbitrary objects.
 */
import type { FastifySerializerCompiler } from 'fastify';

type Schema = Record<string, unknown>;

/** Every property name anywhere in the schema: an object's own, its arrays' items', its unions' branches'. */
function propertyNames(schema: unknown, names: Set<string>): Set<string> {
  if (Array.isArray(schema)) {
    for (const branch of schema) propertyNames(branch, names);
  } else if (schema !== null && typeof schema === 'object') {
    const { properties, items, anyOf, oneOf, allOf } = schema as Schema;
    if (properties !== null && typeof properties === 'object') {
      for (const [name, property] of Object.entries(properties)) {
        names.add(name);
        propertyNames(property, names);
      }
    }
    for (const nested of [items, anyOf, oneOf, allOf]) propertyNames(nested, names);
  }
  return names;
}

/**
 * For a route's `serializerCompiler`. The allowed names hold at every depth (an array replacer
 * has no notion of where it is), which is exact as long as no nested object carries a property
 * that the schema allows only elsewhere: true of Listing, whose entries have no `path`.
 */
export const stringifyBySchema: FastifySerializerCompiler<unknown> = ({ schema }) => {
  const keys = [...propertyNames(schema, new Set())];
  return (data: unknown) => JSON.stringify(data, keys);
};
