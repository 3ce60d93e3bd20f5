// Validates IoT Agent provisioning bodies (service groups and devices, the field names of the FIWARE
// IoT Agent provisioning API) into the registry's typed form. Unknown fields are kept but unused.
import { BadRequestData } from '../../core/errors.ts';
import { isWellFormed } from '../../core/json.ts';

/** An attribute mapping: the device's measurement key (object_id) → the entity attribute. */
export interface AttrMapping {
  object_id: string;
  name: string;
  type: string;
  /** IoT Agent metadata, e.g. { unitCode: { type: 'Text', value: 'CEL' } }. */
  metadata?: Record<string, unknown>;
}

export interface StaticAttr {
  name: string;
  type: string;
  value: unknown;
  metadata?: Record<string, unknown>;
}

export interface GroupSpec {
  apikey: string;
  resource: string;
  entity_type?: string;
  attributes: AttrMapping[];
  static_attributes: StaticAttr[];
  explicitAttrs: boolean;
  /** false: no observedAt unless the payload carries a timestamp. */
  timestamp: boolean;
  autoprovision: boolean;
  /** JSON-LD @context URL the attribute and type names are expanded with (core @context when absent). */
  jsonLdContext?: string;
  /** Embedded-broker credentials of the group's devices (the password is stored as a scrypt hash). */
  mqtt?: { username: string; passwordHash?: string };
}

export interface DeviceSpec {
  device_id: string;
  entity_name?: string;
  entity_type?: string;
  apikey?: string;
  attributes: AttrMapping[];
  static_attributes: StaticAttr[];
  explicitAttrs?: boolean;
  timestamp?: boolean;
  devEui?: string;
}

const NAME = /^[^<>"'=;()\\\s\u0000-\u001f]{1,256}$/;
const MAX_ATTRS = 200;

function obj(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BadRequestData(`${where} must be a JSON object`);
  return v as Record<string, unknown>;
}
function str(v: unknown, where: string, required: boolean): string | undefined {
  if (v === undefined || v === null || v === '') {
    if (required) throw new BadRequestData(`${where} is required`);
    return undefined;
  }
  if (typeof v !== 'string' || !NAME.test(v) || !isWellFormed(v)) throw new BadRequestData(`${where} must be a string of 1–256 characters without whitespace or any of < > " ' = ; ( ) \\, got ${JSON.stringify(v)?.slice(0, 80)}`);
  return v;
}
function bool(v: unknown, where: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new BadRequestData(`${where} must be true or false`);
}

function mappings(v: unknown, where: string): AttrMapping[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new BadRequestData(`${where} must be an array`);
  if (v.length > MAX_ATTRS) throw new BadRequestData(`${where} may hold at most ${MAX_ATTRS} entries`);
  const seen = new Set<string>();
  return v.map((raw, i) => {
    const a = obj(raw, `${where}[${i}]`);
    const name = str(a.name, `${where}[${i}].name`, true)!;
    const objectId = str(a.object_id, `${where}[${i}].object_id`, false) ?? name;
    if (seen.has(objectId)) throw new BadRequestData(`${where}: object_id "${objectId}" is mapped twice`);
    seen.add(objectId);
    const m: AttrMapping = { object_id: objectId, name, type: str(a.type, `${where}[${i}].type`, false) ?? 'Property' };
    if (a.metadata !== undefined) m.metadata = obj(a.metadata, `${where}[${i}].metadata`);
    return m;
  });
}

function statics(v: unknown, where: string): StaticAttr[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new BadRequestData(`${where} must be an array`);
  if (v.length > MAX_ATTRS) throw new BadRequestData(`${where} may hold at most ${MAX_ATTRS} entries`);
  return v.map((raw, i) => {
    const a = obj(raw, `${where}[${i}]`);
    if (a.value === undefined || a.value === null) throw new BadRequestData(`${where}[${i}].value is required`);
    const s: StaticAttr = { name: str(a.name, `${where}[${i}].name`, true)!, type: str(a.type, `${where}[${i}].type`, false) ?? 'Property', value: a.value };
    if (a.metadata !== undefined) s.metadata = obj(a.metadata, `${where}[${i}].metadata`);
    return s;
  });
}

/** DevEUI: 16 hex digits, stored lower-case (network servers differ in case). */
export function normaliseDevEui(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || !/^[0-9a-fA-F]{16}$/.test(v)) throw new BadRequestData(`${where} must be 16 hexadecimal digits, got ${JSON.stringify(v)?.slice(0, 40)}`);
  return v.toLowerCase();
}

/** A service group body (one entry of POST /iot/services "services"). Passwords are returned separately for hashing. */
export function parseGroup(raw: unknown, where = 'service'): { spec: GroupSpec; password?: string } {
  const b = obj(raw, where);
  const spec: GroupSpec = {
    apikey: str(b.apikey, `${where}.apikey`, true)!,
    resource: str(b.resource, `${where}.resource`, false) ?? '/iot/json',
    entity_type: str(b.entity_type, `${where}.entity_type`, false),
    attributes: mappings(b.attributes, `${where}.attributes`),
    static_attributes: statics(b.static_attributes, `${where}.static_attributes`),
    explicitAttrs: bool(b.explicitAttrs, `${where}.explicitAttrs`) ?? false,
    timestamp: bool(b.timestamp, `${where}.timestamp`) ?? true,
    autoprovision: bool(b.autoprovision, `${where}.autoprovision`) ?? true,
  };
  if (b.jsonLdContext !== undefined) {
    if (typeof b.jsonLdContext !== 'string' || !/^https?:\/\/\S+$/.test(b.jsonLdContext)) throw new BadRequestData(`${where}.jsonLdContext must be an http(s) URL`);
    spec.jsonLdContext = b.jsonLdContext;
  }
  let password: string | undefined;
  if (b.mqtt !== undefined) {
    const m = obj(b.mqtt, `${where}.mqtt`);
    const username = str(m.username, `${where}.mqtt.username`, true)!;
    if (m.password !== undefined && (typeof m.password !== 'string' || m.password.length < 8 || m.password.length > 256)) {
      throw new BadRequestData(`${where}.mqtt.password must be a string of 8–256 characters`);
    }
    password = m.password as string | undefined;
    spec.mqtt = { username };
  }
  return { spec, password };
}

/** A device body (one entry of POST /iot/devices "devices"). Commands, lazy attributes and protocol fields are accepted and ignored. */
export function parseDevice(raw: unknown, where = 'device'): DeviceSpec {
  const b = obj(raw, where);
  const internal = b.internal_attributes && typeof b.internal_attributes === 'object' && !Array.isArray(b.internal_attributes) ? b.internal_attributes as Record<string, unknown> : undefined;
  const lorawan = internal?.lorawan && typeof internal.lorawan === 'object' ? internal.lorawan as Record<string, unknown> : undefined;
  const spec: DeviceSpec = {
    device_id: str(b.device_id, `${where}.device_id`, true)!,
    entity_name: str(b.entity_name, `${where}.entity_name`, false),
    entity_type: str(b.entity_type, `${where}.entity_type`, false),
    apikey: str(b.apikey, `${where}.apikey`, false),
    attributes: mappings(b.attributes, `${where}.attributes`),
    static_attributes: statics(b.static_attributes, `${where}.static_attributes`),
    explicitAttrs: bool(b.explicitAttrs, `${where}.explicitAttrs`),
    timestamp: bool(b.timestamp, `${where}.timestamp`),
    devEui: normaliseDevEui(b.dev_eui ?? lorawan?.dev_eui ?? lorawan?.devEui, `${where}.dev_eui`),
  };
  return spec;
}

/** The entity id of a device, as the IoT Agent derives it for NGSI-LD. */
export function entityIdOf(d: { device_id: string; entity_name?: string }, type: string): string {
  if (d.entity_name) return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(d.entity_name) ? d.entity_name : `urn:ngsi-ld:${type}:${d.entity_name}`;
  return `urn:ngsi-ld:${type}:${d.device_id}`;
}
