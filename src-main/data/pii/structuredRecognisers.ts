/**
 * Pattern recognisers for the structured HIPAA Safe Harbor identifiers (45 CFR
 * §164.514(b)(2)(i)): dates, ages over 89, phone and fax numbers, email, SSN, medical record,
 * account and health-plan numbers, street addresses and ZIP codes, URLs, IP addresses, device
 * serial numbers and licence plates. Identifiers without a distinctive shape (MRN, account,
 * plan, device, plate) need a context cue before them; their patterns are configurable.
 */
import { DATE_AND_AGE_RULES } from './dateRules.js';
import { POSTCODE_RULES, US_STATES } from './locationRecogniser.js';
import type { PiiMatch, PiiType } from './piiTypes.js';

export interface CuedPattern {
  type: PiiType;
  /** Words that introduce the identifier, as a regex source, e.g. 'MRN|Medical Record No\\.?'. */
  cue: string;
  /** The identifier itself, as a regex source, e.g. '[A-Z]?\\d{6,10}'. */
  value: string;
  confidence?: number;
}

export const DEFAULT_CUED_PATTERNS: readonly CuedPattern[] = [
  {
    type: 'MRN',
    cue: String.raw`MRN|MR ?#|MR No\.?|Medical Record (?:No\.?|Number|#)|Med(?:ical)? Rec(?:ord)?\.? ?#|Hospital (?:No\.?|Number|ID)|Chart (?:No\.?|#)|Pt\.? ?#|Patient (?:ID|No\.?|#)|Accession(?: No\.?| #)?|Unit (?:No\.?|Number)|Case (?:No\.?|#)`,
    value: String.raw`[A-Z]{0,3}-?\d[\d-]{3,12}\d`,
  },
  {
    type: 'ACCOUNT',
    cue: String.raw`(?:Billing |Hospital |Patient )?Account(?: No\.?| Number| #)?|Acct\.?(?: No\.?| #)?|FIN|Encounter (?:No\.?|#|ID)|CSN|Visit (?:No\.?|#|ID)|Invoice (?:No\.?|#)`,
    value: String.raw`[A-Z]{0,3}\d[\d-]{5,16}\d`,
  },
  {
    type: 'HEALTH_PLAN',
    cue: String.raw`(?:Insurance |Health ?plan |Plan )?(?:member|subscriber|beneficiary|policy|group) (?:ID|No\.?|Number|#)|Health ?plan (?:ID|No\.?|Number|#)|Health ?card(?: No\.?| Number| #)?|Insurance (?:ID|No\.?|Number|#)|(?:Medicare )?MBI|Medicare(?: No\.?| Number| ID)?|Medicaid(?: No\.?| Number| ID)?|OHIP(?: No\.?| #)?|RAMQ(?: No\.?| #)?|MSP(?: No\.?| #)?|PHN|HCN|CHI(?: No\.?| Number)?`,
    value: String.raw`(?:[A-Z]{1,4}[ -])?[A-Z0-9]*\d[A-Z0-9]*(?:-[A-Z0-9]+|[ ]\d[A-Z0-9]*)*`,
  },
  {
    type: 'DEVICE_ID',
    cue: String.raw`serial(?: number| no\.?| #)?|S/N|SN|device (?:ID|identifier|serial)|UDI|IMEI|lot (?:number|no\.?|#)|model(?: number| no\.?| #)`,
    value: String.raw`[A-Z0-9][A-Z0-9-]{5,30}`,
  },
  {
    type: 'LICENSE_PLATE',
    cue: String.raw`licen[cs]e plate(?: number| no\.?)?|(?:car|vehicle) (?:with )?(?:registration|reg\.?|plate)(?: number| no\.?)?|plate(?: number| no\.?)?|registration(?: number| no\.?)`,
    value: String.raw`[A-Z0-9]{1,4}[- ]?[A-Z0-9]{2,5}`,
  },
  {
    type: 'SSN',
    cue: String.raw`SSN|SS ?#|Social Security(?: No\.?| Number| #)?`,
    value: String.raw`\d{3}[- ]?\d{2}[- ]?\d{4}`,
  },
  { type: 'ZIP', cue: String.raw`ZIP(?: code)?|postal code`, value: String.raw`\d{5}(?:-\d{4})?` },
  {
    // A payer's name right before the number: "Aetna W2290018871", "BCBS # XYZ123456789".
    type: 'HEALTH_PLAN',
    cue: String.raw`(?:Aetna|Cigna|Humana|Blue ?Cross(?: Blue ?Shield)?|Blue ?Shield|BCBS|UnitedHealthcare|UHC|Kaiser(?: Permanente)?|Anthem|Tricare|Molina|Centene|WellCare|Ambetter|Oscar|Medi-Cal|MassHealth|Highmark|Harvard Pilgrim|Tufts|Bupa|AXA|Sun Life|Manulife|Great-West Life)(?: (?:ID|No\.?|Number|#|policy|plan))?`,
    value: String.raw`[A-Z0-9][A-Z0-9-]{5,18}[0-9]`,
    confidence: 0.9,
  },
  {
    type: 'MRN',
    cue: String.raw`NHS (?:No\.?|Number|#)|NHS|CHI (?:No\.?|Number)`,
    value: String.raw`\d{3} ?\d{3} ?\d{4}`,
    confidence: 0.97,
  },
];

export interface Rule {
  type: PiiType;
  regex: RegExp;
  confidence: number;
  source: string;
  /** Capture group holding the identifier (default 0: the whole match). */
  group?: number;
  accept?: (value: string, text: string, start: number) => boolean;
  /** Turns the type into another one from the text before the match (phone → fax). */
  retype?: (text: string, start: number) => PiiType;
}

const STREET_SUFFIX = String.raw`(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Court|Ct|Boulevard|Blvd|Way|Place|Pl|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Path|Pike|Alley|Row|Crescent|Close|Gardens|Grove|Hill|Hills|Heights|Park|Plaza|Point|Ridge|Run|View|Walk|Loop|Crossing|Crossroad|Creek|Cove|Cliff|Cliffs|Estates|Expressway|Extension|Falls|Ferry|Field|Fields|Flats|Ford|Forest|Forge|Forges|Fork|Fort|Freeway|Glen|Green|Harbor|Haven|Island|Junction|Key|Knoll|Lake|Lakes|Landing|Light|Lock|Lodge|Manor|Meadow|Meadows|Mill|Mills|Mission|Motorway|Mount|Mountain|Neck|Orchard|Oval|Overpass|Pass|Passage|Pine|Pines|Plains|Port|Prairie|Radial|Ranch|Rapid|Rapids|Rest|Route|Shoal|Shore|Shores|Skyway|Spring|Springs|Spur|Station|Stravenue|Stream|Summit|Throughway|Trace|Track|Trafficway|Tunnel|Turnpike|Underpass|Union|Valley|Valleys|Viaduct|Villages?|Ville|Vista|Wall|Well|Wells|Divide|Dale|Dam|Camp|Canyon|Cape|Causeway|Center|Centers|Common|Commons|Corner|Corners|Curve|Burg|Burgs|Bypass|Bluff|Bluffs|Bottom|Branch|Bridge|Brook|Brooks|Beach|Bend|Arcade|Crest|Mall|Mews|Port|Ports|Stream|Isle|Inlet|Hollow|Gateway|Garden|Gardens|Flat|Expy|Ext)`;

const RULES: readonly Rule[] = [
  {
    type: 'EMAIL',
    regex: /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu,
    confidence: 0.99,
    source: 'email',
  },
  {
    type: 'URL',
    regex: /\b(?:https?:\/\/|www\.)[^\s<>"']+[^\s<>"'.,;:!?)\]]/giu,
    confidence: 0.97,
    source: 'url',
  },
  {
    type: 'IP',
    regex: /\b(?:\d{1,3}\.){3}\d{1,3}\b/g,
    confidence: 0.95,
    source: 'ipv4',
    accept: (v) => v.split('.').every((o) => Number(o) <= 255),
  },
  { type: 'IP', regex: /\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b/gi, confidence: 0.95, source: 'ipv6' },
  {
    // Compressed IPv6 (RFC 5952): "2001:db8::8a2e:370:7334", "fe80::1".
    type: 'IP',
    regex:
      /(?<![\w:])(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?::(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?(?![\w:])/gi,
    confidence: 0.93,
    source: 'ipv6-compressed',
    accept: (v) => v.split(':').filter(Boolean).length >= 2,
  },
  {
    type: 'SSN',
    regex: /\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b/g,
    confidence: 0.95,
    source: 'ssn',
  },
  {
    type: 'PHONE',
    regex: /(?<![\w.-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\w-])/g,
    confidence: 0.93,
    source: 'phone',
    retype: (text, start) =>
      /\bfax\b[^\d\n]{0,25}$/i.test(text.slice(Math.max(0, start - 30), start)) ? 'FAX' : 'PHONE',
  },
  {
    // UK-style numbers: 07700 900123, 020 7946 0958, 0161 496 0000.
    type: 'PHONE',
    regex: /(?<![\w.-])(?:0\d{4}[ ]?\d{6}|0\d{2,4} \d{3,4} \d{3,4})(?![\w-])/g,
    confidence: 0.85,
    source: 'phone-uk',
    retype: (text, start) =>
      /\bfax\b[^\d\n]{0,25}$/i.test(text.slice(Math.max(0, start - 30), start)) ? 'FAX' : 'PHONE',
  },
  ...DATE_AND_AGE_RULES,
  {
    type: 'ADDRESS',
    regex: new RegExp(
      String.raw`\b\d{1,6}[A-Z]?[ \t]+(?:[NSEW]\.?[ \t]+)?(?:(?:\p{Lu}[\p{L}'.-]*|\d+(?:st|nd|rd|th))[ \t]+){0,4}${STREET_SUFFIX}\b\.?(?:,?[ \t]+(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|#)[ \t]*[\w-]+)?`,
      'gu',
    ),
    confidence: 0.9,
    source: 'street-suffix',
  },
  {
    type: 'ADDRESS',
    regex:
      /(?<=\b(?:[Aa]ddress:?|lives at|living at|resides at|residing at)[ \t]+)\d{1,6}[A-Z]?[ \t]+[^,\n?]{3,60}/gu,
    confidence: 0.85,
    source: 'address-cue',
  },
  {
    type: 'ZIP',
    regex: new RegExp(
      String.raw`(?<=[\p{L}.],?[ \t]+(?:${US_STATES})[ \t]{1,2})\d{5}(?:-\d{4})?(?!\d|\.\d|[ \t]*(?:U\/L|IU|mg|ng|pg|copies|cells|\/))`,
      'gu',
    ),
    confidence: 0.9,
    source: 'zip-after-state',
  },
  ...POSTCODE_RULES.map((p) => ({ type: 'ZIP' as const, regex: p.regex, confidence: 0.9, source: p.source })),
  { type: 'ZIP', regex: /\b\d{5}-\d{4}\b/g, confidence: 0.85, source: 'zip-plus-4' },
  { type: 'DEVICE_ID', regex: /\bSN-[A-Z0-9]{6,}\b/g, confidence: 0.9, source: 'serial-prefix' },
  {
    type: 'DEVICE_ID',
    regex: /\b[A-HJ-NPR-Z0-9]{17}\b/g,
    confidence: 0.7,
    source: 'vin',
    accept: (v) => /\d/.test(v) && /[A-Z]/.test(v),
  },
];

function cuedRule(p: CuedPattern): Rule {
  return {
    type: p.type,
    // The lookahead makes a word without digits ("number") fail here, so a longer cue can match.
    regex: new RegExp(
      String.raw`(?:\b(?:${p.cue}))(?![a-z])(?:\s*[:#.]){0,2}\s*(?:(?:is|was|of)\s+)?((?=(?:[A-Z]{1,4} )?[\w-]*\d)${p.value})(?![\w-])`,
      'gi',
    ),
    group: 1,
    confidence: p.confidence ?? 0.95,
    source: `cue:${p.type.toLowerCase()}`,
    accept: (v) => /\d/.test(v),
  };
}

export function structuredRules(cued: readonly CuedPattern[] = DEFAULT_CUED_PATTERNS): readonly Rule[] {
  return [...RULES, ...cued.map(cuedRule)];
}

export function findStructured(text: string, rules: readonly Rule[]): PiiMatch[] {
  const out: PiiMatch[] = [];
  for (const rule of rules) {
    rule.regex.lastIndex = 0;
    for (const m of text.matchAll(rule.regex)) {
      const value = m[rule.group ?? 0];
      if (value === undefined || m.index === undefined) continue;
      const start = m.index + (rule.group ? m[0].indexOf(value) : 0);
      if (rule.accept && !rule.accept(value, text, start)) continue;
      const type = rule.retype ? rule.retype(text, start) : rule.type;
      out.push({
        type,
        start,
        end: start + value.length,
        text: value,
        confidence: rule.confidence,
        source: rule.source,
      });
    }
  }
  return out;
}
