// Proto3 JSON checking and enum encoding for the emulated Cloud Run API, driven by the official protos
// that ship with @google-cloud/run (build/protos/protos.json), so the emulator rejects what Cloud Run
// would reject instead of quietly accepting it. JSON mapping rules: protobuf.dev/programming-guides/json.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { checkScalar, checkWellKnown, describe, isPlainObject } from './proto-scalars';

/** One field violation in Google's wording, as in a google.rpc.BadRequest detail of a 400 INVALID_ARGUMENT. */
export interface FieldViolation {
  /** Proto (snake_case) path of the offending field, or of the message holding an unknown name. */
  field: string;
  /** e.g. `Invalid JSON payload received. Unknown name "foo" at 'service.template': Cannot find field.` */
  description: string;
}

interface Problem {
  /** JSON (lowerCamel) path, e.g. `service.template.containers[0].foo`. */
  jsonPath: string;
  /** Proto (snake_case) path, the form Google's error messages use. */
  protoPath: string;
  /** Our own wording, for test failures and logs. */
  detail: string;
  /** Google's wording. */
  google: string;
}

interface Where {
  json: string;
  proto: string;
}

const PROTOS_JSON = '@google-cloud/run/build/protos/protos.json';

/**
 * Fields Google's REST API has that the shipped protos lack (docs/platform.md "REST-only
 * fields (absent from every proto)"). The proto check accepts them (instead of `Unknown name`) and the
 * emulator stores and returns them as JSON. Keyed by message type, then JSON name, with the JSON type.
 * Each entry cites the REST reference page that lists it.
 */
export const REST_ONLY_FIELDS: Readonly<Record<string, Readonly<Record<string, 'number'>>>> = {
  // cloud.google.com/run/docs/reference/rest/v2/RevisionScaling: `cpuUtilization` and
  // `concurrencyUtilization` (number); in no proto of @google-cloud/run 4.2.0.
  'google.cloud.run.v2.RevisionScaling': { cpuUtilization: 'number', concurrencyUtilization: 'number' },
};

/** The JSON type of a REST-only field of `type`, or undefined when the REST reference has no such field. */
function restOnlyField(type: protobuf.Type, key: string): 'number' | undefined {
  return REST_ONLY_FIELDS[type.fullName.replace(/^\./, '')]?.[key];
}

let cachedRoot: protobuf.Root | undefined;

function loadRoot(): protobuf.Root {
  if (cachedRoot) return cachedRoot;
  // Resolved from the working directory: the tests and `npm run emulator` both run from the repo root.
  let file: string;
  try {
    file = createRequire(join(process.cwd(), 'package.json')).resolve(PROTOS_JSON);
  } catch (cause) {
    throw new Error(`cannot find ${PROTOS_JSON} from ${process.cwd()}: run the emulator from the repo root`, {
      cause,
    });
  }
  const root = protobuf.Root.fromJSON(JSON.parse(fs.readFileSync(file, 'utf8')) as protobuf.INamespace);
  root.resolveAll();
  cachedRoot = root;
  return root;
}

function lookupMessage(typeName: string): protobuf.Type {
  return loadRoot().lookupType(typeName.replace(/^\./, ''));
}

/** Problems with a JSON request body against a proto message type; [] when it fits. Each names the JSON path, e.g. `service.template.containers[0].foo: unknown field`. */
export function checkMessage(typeName: string, json: unknown, path = ''): string[] {
  return collectProblems(typeName, json, path).map((p) => `${p.jsonPath || '(root)'}: ${p.detail}`);
}

/** The same problems in Google's wording and proto paths, for the emulator's 400 INVALID_ARGUMENT answer. */
export function fieldViolations(typeName: string, json: unknown, path = ''): FieldViolation[] {
  return collectProblems(typeName, json, path).map((p) => ({ field: p.protoPath, description: p.google }));
}

/** Deep copy with every enum field written as its string name (the default REST answer); numbers or names accepted. */
export function enumsToStrings<T>(typeName: string, json: T): T {
  return mapMessage(lookupMessage(typeName), json, (e, v) =>
    typeof v === 'number' && Object.hasOwn(e.valuesById, v) ? e.valuesById[v] : v,
  ) as T;
}

/** Deep copy with every enum field written as its number, for answers to requests carrying `$alt=json;enum-encoding=int` (docs/platform.md "Wire format"). */
export function enumsToNumbers<T>(typeName: string, json: T): T {
  return mapMessage(lookupMessage(typeName), json, (e, v) =>
    typeof v === 'string' && Object.hasOwn(e.values, v) ? e.values[v] : v,
  ) as T;
}

/** JSON names of the type's top-level fields marked OUTPUT_ONLY: the real API accepts them on input and ignores them. */
export function outputOnlyFields(typeName: string): string[] {
  return lookupMessage(typeName)
    .fieldsArray.filter(isOutputOnly)
    .map((f) => f.name);
}

/** Deep copy without any OUTPUT_ONLY field at any depth, i.e. only what a client may set. */
export function withoutOutputOnly<T>(typeName: string, json: T): T {
  return mapMessage(lookupMessage(typeName), json, (_e, v) => v, true) as T;
}

function isOutputOnly(field: protobuf.Field): boolean {
  const behavior: unknown = field.options?.['(google.api.field_behavior)'];
  return Array.isArray(behavior) ? behavior.includes('OUTPUT_ONLY') : behavior === 'OUTPUT_ONLY';
}

function collectProblems(typeName: string, json: unknown, path: string): Problem[] {
  const problems: Problem[] = [];
  checkValueOfType(lookupMessage(typeName), json, { json: path, proto: path }, problems);
  return problems;
}

function snakeCase(jsonName: string): string {
  return jsonName.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Fields by JSON name and by original proto name (the parser accepts both). */
const fieldIndex = new WeakMap<protobuf.Type, Map<string, protobuf.Field>>();

function findField(type: protobuf.Type, key: string): protobuf.Field | undefined {
  let index = fieldIndex.get(type);
  if (!index) {
    index = new Map();
    for (const f of type.fieldsArray) {
      index.set(f.name, f);
      index.set(snakeCase(f.name), f);
      const jsonName: unknown = f.options?.json_name;
      if (typeof jsonName === 'string') index.set(jsonName, f);
    }
    fieldIndex.set(type, index);
  }
  return index.get(key);
}

function child(where: Where, jsonKey: string, protoKey: string): Where {
  return {
    json: where.json ? `${where.json}.${jsonKey}` : jsonKey,
    proto: where.proto ? `${where.proto}.${protoKey}` : protoKey,
  };
}

function indexed(where: Where, i: number): Where {
  return { json: `${where.json}[${i}]`, proto: `${where.proto}[${i}]` };
}

function keyed(where: Where, key: string): Where {
  const k = `[${JSON.stringify(key)}]`;
  return { json: where.json + k, proto: where.proto + k };
}

function invalid(problems: Problem[], where: Where, detail: string, typeLabel: string, value: unknown): void {
  const shown = typeof value === 'object' && value !== null ? describe(value) : JSON.stringify(value);
  problems.push({
    jsonPath: where.json,
    protoPath: where.proto,
    detail,
    google: `Invalid value at '${where.proto}' (${typeLabel}), ${shown}`,
  });
}

function typeUrl(t: protobuf.ReflectionObject): string {
  return `type.googleapis.com/${t.fullName.replace(/^\./, '')}`;
}

function checkMessageObject(type: protobuf.Type, json: unknown, where: Where, problems: Problem[]): void {
  if (!isPlainObject(json)) {
    invalid(problems, where, `expected an object (${type.name}), got ${describe(json)}`, typeUrl(type), json);
    return;
  }
  const setInOneof = new Map<string, string>();
  for (const [key, value] of Object.entries(json)) {
    const field = findField(type, key);
    if (!field && restOnlyField(type, key)) {
      if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) {
        const where2 = child(where, key, snakeCase(key));
        invalid(problems, where2, `expected a number, got ${describe(value)}`, 'TYPE_DOUBLE', value);
      }
      continue;
    }
    if (!field) {
      const at = where.proto ? ` at '${where.proto}'` : '';
      problems.push({
        jsonPath: child(where, key, key).json,
        protoPath: where.proto,
        detail: 'unknown field',
        google: `Invalid JSON payload received. Unknown name ${JSON.stringify(key)}${at}: Cannot find field.`,
      });
      continue;
    }
    const fieldWhere = child(where, field.name, snakeCase(field.name));
    if (value === null) continue;
    const oneof = field.partOf;
    if (oneof) {
      const other = setInOneof.get(oneof.name);
      if (other !== undefined) {
        problems.push({
          jsonPath: fieldWhere.json,
          protoPath: fieldWhere.proto,
          detail: `oneof "${oneof.name}" already set by ${other}`,
          google: `Invalid JSON payload received. Multiple values for oneof "${oneof.name}" at '${where.proto}'.`,
        });
      }
      setInOneof.set(oneof.name, field.name);
    }
    checkField(field, value, fieldWhere, problems);
  }
}

function checkField(field: protobuf.Field, value: unknown, where: Where, problems: Problem[]): void {
  if (field.map) {
    if (!isPlainObject(value)) {
      invalid(problems, where, `expected an object (map), got ${describe(value)}`, 'map', value);
      return;
    }
    const keyType = field instanceof protobuf.MapField ? field.keyType : 'string';
    for (const [k, v] of Object.entries(value)) {
      const entryWhere = keyed(where, k);
      const keyProblem =
        keyType === 'string' || (keyType === 'bool' && (k === 'true' || k === 'false'))
          ? undefined
          : checkScalar(keyType, k);
      if (keyProblem) invalid(problems, entryWhere, `map key: ${keyProblem}`, scalarLabel(keyType), k);
      if (v === null)
        invalid(problems, entryWhere, 'null is not allowed as a map value', scalarLabel(field.type), v);
      else checkSingle(field, v, entryWhere, problems);
    }
    return;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) {
      invalid(problems, where, `expected an array, got ${describe(value)}`, labelOf(field), value);
      return;
    }
    value.forEach((item, i) => {
      const itemWhere = indexed(where, i);
      if (item === null) invalid(problems, itemWhere, 'null is not allowed in a list', labelOf(field), item);
      else checkSingle(field, item, itemWhere, problems);
    });
    return;
  }
  if (Array.isArray(value)) {
    problems.push({
      jsonPath: where.json,
      protoPath: where.proto,
      detail: 'expected a single value, got array',
      google: `Invalid JSON payload received. Proto field is not repeating, cannot start list.`,
    });
    return;
  }
  checkSingle(field, value, where, problems);
}

function labelOf(field: protobuf.Field): string {
  return field.resolvedType ? typeUrl(field.resolvedType) : scalarLabel(field.type);
}

function checkSingle(field: protobuf.Field, value: unknown, where: Where, problems: Problem[]): void {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) checkEnum(resolved, value, where, problems);
  else if (resolved instanceof protobuf.Type) checkValueOfType(resolved, value, where, problems);
  else {
    const problem = checkScalar(field.type, value);
    if (problem) invalid(problems, where, problem, scalarLabel(field.type), value);
  }
}

function checkEnum(e: protobuf.Enum, value: unknown, where: Where, problems: Problem[]): void {
  const known =
    (typeof value === 'string' && Object.hasOwn(e.values, value)) ||
    (typeof value === 'number' && Object.hasOwn(e.valuesById, value));
  if (!known) {
    const names = Object.keys(e.values).join(', ');
    invalid(
      problems,
      where,
      `expected a ${e.name} enum name (${names}) or number, got ${JSON.stringify(value)}`,
      typeUrl(e),
      value,
    );
  }
}

function scalarLabel(type: string): string {
  return `TYPE_${type.toUpperCase()}`;
}

function isWellKnown(type: protobuf.Type): boolean {
  const fullName = type.fullName.replace(/^\./, '');
  return fullName === 'google.protobuf.Any' || checkWellKnown(fullName, undefined) !== null;
}

function checkValueOfType(type: protobuf.Type, value: unknown, where: Where, problems: Problem[]): void {
  const fullName = type.fullName.replace(/^\./, '');
  if (fullName === 'google.protobuf.Any') {
    checkAny(value, where, problems);
    return;
  }
  const wellKnown = checkWellKnown(fullName, value);
  if (wellKnown === null) checkMessageObject(type, value, where, problems);
  else if (wellKnown !== undefined) invalid(problems, where, wellKnown, typeUrl(type), value);
}

/** Any: an object with "@type"; when that type is one of ours its other fields are checked too. */
function checkAny(value: unknown, where: Where, problems: Problem[]): void {
  if (!isPlainObject(value) || typeof value['@type'] !== 'string') {
    invalid(
      problems,
      where,
      `expected an Any object with a string "@type", got ${describe(value)}`,
      'type.googleapis.com/google.protobuf.Any',
      value,
    );
    return;
  }
  const { '@type': url, ...rest } = value;
  const packed = resolveTypeUrl(url as string);
  if (!packed) return;
  if (!isWellKnown(packed)) {
    checkMessageObject(packed, rest, where, problems);
  } else {
    checkValueOfType(packed, rest.value, child(where, 'value', 'value'), problems);
  }
}

function resolveTypeUrl(url: string): protobuf.Type | undefined {
  const found = loadRoot().lookup(url.slice(url.lastIndexOf('/') + 1));
  return found instanceof protobuf.Type ? found : undefined;
}

type EnumMapper = (e: protobuf.Enum, value: unknown) => unknown;

/** Deep copy of a message's JSON, passing every enum value through `mapEnum` and optionally dropping OUTPUT_ONLY fields. */
function mapMessage(
  type: protobuf.Type,
  json: unknown,
  mapEnum: EnumMapper,
  dropOutputOnly = false,
): unknown {
  const fullName = type.fullName.replace(/^\./, '');
  if (fullName === 'google.protobuf.Any' && isPlainObject(json) && typeof json['@type'] === 'string') {
    const packed = resolveTypeUrl(json['@type']);
    if (packed && !isWellKnown(packed)) {
      const { '@type': url, ...rest } = json;
      return { '@type': url, ...(mapMessage(packed, rest, mapEnum, dropOutputOnly) as object) };
    }
  }
  if (!isPlainObject(json) || isWellKnown(type)) return structuredClone(json);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    const field = findField(type, key);
    if (field && dropOutputOnly && isOutputOnly(field)) continue;
    out[key] =
      field && value !== null ? mapField(field, value, mapEnum, dropOutputOnly) : structuredClone(value);
  }
  return out;
}

function mapField(
  field: protobuf.Field,
  value: unknown,
  mapEnum: EnumMapper,
  dropOutputOnly: boolean,
): unknown {
  const resolved = field.resolvedType;
  const one = (v: unknown): unknown => {
    if (resolved instanceof protobuf.Enum) return mapEnum(resolved, v);
    if (resolved instanceof protobuf.Type) return mapMessage(resolved, v, mapEnum, dropOutputOnly);
    return structuredClone(v);
  };
  if (field.map && isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, one(v)]));
  }
  if (field.repeated && Array.isArray(value)) return value.map(one);
  return one(value);
}

/**
 * A message's JSON as the server sees it once parsed, for "is this the same configuration?" checks: keys
 * sorted; enums as names; numbers as numbers (int64 as strings); Durations as `Ns`; output-only fields
 * dropped (the API ignores them on input); and a field with implicit presence (a plain proto3 scalar or
 * enum, a repeated field or a map) left out when it holds its default (`false`, `0`, `""`, the enum's 0
 * value, `[]`, `{}`), because JSON that sends it and JSON that omits it parse to the same message
 * (protobuf.dev/programming-guides/json: "the default value … is treated as absent"). Nothing else is
 * normalised: no server defaults are filled in, a message field sent as `{}` is present, and keys the
 * protos lack (REST-only fields, see REST_ONLY_FIELDS) are kept as sent.
 */
export function presenceCanonical(typeName: string, json: unknown): unknown {
  return canonicalOf(lookupMessage(typeName), json);
}

function canonicalOf(type: protobuf.Type, json: unknown): unknown {
  const fullName = type.fullName.replace(/^\./, '');
  if (fullName === 'google.protobuf.Duration' && typeof json === 'string') {
    const m = /^(-?\d+(?:\.\d+)?)s$/.exec(json);
    return m ? `${Number(m[1])}s` : json;
  }
  if (!isPlainObject(json) || isWellKnown(type)) return structuredClone(json);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(json).sort()) {
    const value = json[key];
    if (value === null || value === undefined) continue;
    const field = findField(type, key);
    if (!field) {
      out[key] = structuredClone(value);
      continue;
    }
    if (isOutputOnly(field)) continue;
    const canonical = canonicalField(field, value);
    if (canonical === undefined) continue;
    out[field.name] = canonical;
  }
  return out;
}

function canonicalField(field: protobuf.Field, value: unknown): unknown {
  const resolved = field.resolvedType;
  const one = (v: unknown): unknown => {
    if (resolved instanceof protobuf.Enum) {
      return typeof v === 'number' && Object.hasOwn(resolved.valuesById, v) ? resolved.valuesById[v] : v;
    }
    if (resolved instanceof protobuf.Type) return canonicalOf(resolved, v);
    if (['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'double', 'float'].includes(field.type)) {
      return typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v;
    }
    if (['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64'].includes(field.type)) {
      return typeof v === 'number' ? String(v) : v;
    }
    return structuredClone(v);
  };
  if (field.map && isPlainObject(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((k) => [k, one(value[k])] as const);
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  }
  if (field.repeated && Array.isArray(value)) return value.length === 0 ? undefined : value.map(one);
  const v = one(value);
  // Explicit presence: message fields and members of a oneof (proto3 `optional` is a synthetic oneof).
  if (resolved instanceof protobuf.Type || field.partOf) return v;
  const isDefault =
    v === false ||
    v === 0 ||
    v === '' ||
    (v === '0' && /64$/.test(field.type)) ||
    (resolved instanceof protobuf.Enum && (v === resolved.valuesById[0] || v === 0));
  return isDefault ? undefined : v;
}
