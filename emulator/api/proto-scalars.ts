// Proto3 JSON forms of scalar and well-known types (protobuf.dev/programming-guides/json): what a
// value must look like to be accepted for an int32, a Duration, a FieldMask and so on.

/** The JSON kind of a value, for messages: `null`, `array`, `object`, `string`… */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** True for a JSON object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const INT_RANGES: Record<string, [number, number]> = {
  int32: [-2147483648, 2147483647],
  sint32: [-2147483648, 2147483647],
  sfixed32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  fixed32: [0, 4294967295],
};
const INT64 = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);

/** Why a JSON value is not a valid proto3 JSON scalar of the given type, or undefined if it is. */
export function checkScalar(type: string, value: unknown): string | undefined {
  const got = `got ${typeof value === 'string' ? JSON.stringify(value) : describe(value)}`;
  const range = INT_RANGES[type];
  if (range) {
    const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n)) return `expected an integer (${type}), ${got}`;
    if (n < range[0] || n > range[1]) return `${n} is out of range for ${type}`;
    return undefined;
  }
  if (INT64.has(type)) {
    const unsigned = type.startsWith('u') || type === 'fixed64';
    const ok =
      (typeof value === 'number' && Number.isSafeInteger(value) && (!unsigned || value >= 0)) ||
      (typeof value === 'string' && (unsigned ? /^\d+$/ : /^-?\d+$/).test(value));
    return ok ? undefined : `expected an integer or decimal string (${type}), ${got}`;
  }
  switch (type) {
    case 'double':
    case 'float': {
      const ok =
        typeof value === 'number' ||
        (typeof value === 'string' &&
          (['NaN', 'Infinity', '-Infinity'].includes(value) ||
            (value.trim() !== '' && !isNaN(Number(value)))));
      return ok ? undefined : `expected a number (${type}), ${got}`;
    }
    case 'bool':
      return typeof value === 'boolean' ? undefined : `expected a boolean, ${got}`;
    case 'string':
      return typeof value === 'string' ? undefined : `expected a string, ${got}`;
    case 'bytes':
      return typeof value === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(value)
        ? undefined
        : `expected a base64 string (bytes), ${got}`;
    default:
      return `unsupported scalar type ${type}`;
  }
}

const WRAPPERS: Record<string, string> = {
  'google.protobuf.DoubleValue': 'double',
  'google.protobuf.FloatValue': 'float',
  'google.protobuf.Int64Value': 'int64',
  'google.protobuf.UInt64Value': 'uint64',
  'google.protobuf.Int32Value': 'int32',
  'google.protobuf.UInt32Value': 'uint32',
  'google.protobuf.BoolValue': 'bool',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'bytes',
};

const DURATION = /^-?\d+(\.\d{1,9})?s$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Why a value does not fit a well-known type's special JSON form; undefined if it fits, null if the type is not one. */
export function checkWellKnown(fullName: string, value: unknown): string | undefined | null {
  const got = `got ${typeof value === 'string' ? JSON.stringify(value) : describe(value)}`;
  const wrapped = WRAPPERS[fullName];
  if (wrapped) return checkScalar(wrapped, value);
  switch (fullName) {
    case 'google.protobuf.Duration':
      return typeof value === 'string' && DURATION.test(value)
        ? undefined
        : `expected a Duration string like "3.5s", ${got}`;
    case 'google.protobuf.Timestamp':
      return typeof value === 'string' && TIMESTAMP.test(value) && !isNaN(Date.parse(value))
        ? undefined
        : `expected an RFC 3339 Timestamp string like "2024-01-02T03:04:05Z", ${got}`;
    case 'google.protobuf.FieldMask':
      return typeof value === 'string' && (value === '' || value.split(',').every((p) => FIELD_PATH.test(p)))
        ? undefined
        : `expected a FieldMask string like "template,traffic", ${got}`;
    case 'google.protobuf.Struct':
      return isPlainObject(value) ? undefined : `expected an object (Struct), ${got}`;
    case 'google.protobuf.ListValue':
      return Array.isArray(value) ? undefined : `expected an array (ListValue), ${got}`;
    case 'google.protobuf.Value':
      return undefined;
    case 'google.protobuf.Empty':
      return isPlainObject(value) && Object.keys(value).length === 0
        ? undefined
        : `expected {} (Empty), ${got}`;
    default:
      return null;
  }
}
